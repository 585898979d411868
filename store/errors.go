package store

import (
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	// ErrNotFound means that the row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists means that a row with the same unique key exists.
	ErrAlreadyExists = errors.New("already exists")
)

// Postgres error codes the gateway branches on.
const (
	codeUniqueViolation = "23505"
)

// MapError turns driver errors into the package's sentinels: pgx.ErrNoRows
// becomes ErrNotFound and a unique violation ErrAlreadyExists. The driver
// error stays in the chain. Other errors are returned unchanged.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return errors.Join(ErrNotFound, err)
	}

	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation {
		return errors.Join(ErrAlreadyExists, err)
	}
	return err
}
