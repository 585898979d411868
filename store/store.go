package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/gen/db"
)

// DefaultConnectTimeout bounds each connection attempt when the Postgres URL
// names no connect_timeout, so that an unreachable server fails start fast.
const DefaultConnectTimeout = 5 * time.Second

// Store bundles the connection pool with the generated queries. When it
// has a cipher, the queries seal secrets on their way in and open them on
// their way out, so that no caller ever handles a sealed value.
type Store struct {
	// Pool is the connection pool.
	Pool *pgxpool.Pool
	// Queries runs the generated queries on the pool.
	Queries db.Querier

	cipher *dbcrypt.Cipher
}

// Open connects to the Postgres named by url and checks that it answers.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	// Filtered listings read very different fractions of a table; a generic
	// plan, which Postgres picks after a few runs, ignores the filter
	// indexes. Custom plans cost a little planning per query instead.
	if _, ok := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres at %s: %w", redactURL(cfg), lastAttempt(err))
	}
	return New(pool), nil
}

// New wraps an open pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{Pool: pool, Queries: db.New(pool)}
}

// WithCipher returns a store on the same pool whose queries seal and open
// secrets with c.
func (s *Store) WithCipher(c *dbcrypt.Cipher) *Store {
	return &Store{Pool: s.Pool, Queries: dbcrypt.Wrap(db.New(s.Pool), c), cipher: c}
}

// Cipher returns the store's cipher, nil when it has none.
func (s *Store) Cipher() *dbcrypt.Cipher {
	return s.cipher
}

// queries returns the generated queries on conn, wrapped like Queries.
func (s *Store) queries(conn db.DBTX) db.Querier {
	q := db.New(conn)
	if s.cipher == nil {
		return q
	}
	return dbcrypt.Wrap(q, s.cipher)
}

// Close closes the pool.
func (s *Store) Close() {
	s.Pool.Close()
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise.
func (s *Store) InTx(ctx context.Context, fn func(tx pgx.Tx, q db.Querier) error) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		return fn(tx, s.queries(tx))
	})
}

// InTxWithOptions runs fn in a transaction with opts, such as a read-only
// snapshot.
func (s *Store) InTxWithOptions(
	ctx context.Context, opts pgx.TxOptions, fn func(tx pgx.Tx, q db.Querier) error,
) error {
	return pgx.BeginTxFunc(ctx, s.Pool, opts, func(tx pgx.Tx) error {
		return fn(tx, s.queries(tx))
	})
}

// WithAdvisoryLock runs fn in a transaction that first takes the
// transaction-level advisory lock id; the lock is released when the
// transaction ends, also when the connection drops.
func (s *Store) WithAdvisoryLock(
	ctx context.Context, id int64, fn func(tx pgx.Tx, q db.Querier) error,
) error {
	return s.InTx(ctx, func(tx pgx.Tx, q db.Querier) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", id); err != nil {
			return fmt.Errorf("take advisory lock %d: %w", id, err)
		}
		return fn(tx, q)
	})
}

// lastAttempt keeps, of a failed connection, the error of its last attempt:
// the driver tries each address, with and without TLS, and its message
// repeats itself once per attempt.
func lastAttempt(err error) error {
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return err
	}
	inner := ce.Unwrap()
	if joined, ok := inner.(interface{ Unwrap() []error }); ok {
		if errs := joined.Unwrap(); len(errs) > 0 {
			return errs[len(errs)-1]
		}
	}
	return inner
}

// redactURL names the server of a pool config without its password.
func redactURL(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s:%d/%s (user %s)", c.Host, c.Port, c.Database, c.User)
}
