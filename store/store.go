package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigateway/aigateway/gen/db"
)

// DefaultConnectTimeout bounds each connection attempt when the Postgres URL
// names no connect_timeout, so that an unreachable server fails start fast.
const DefaultConnectTimeout = 5 * time.Second

// Store bundles the connection pool with the generated queries.
type Store struct {
	// Pool is the connection pool.
	Pool *pgxpool.Pool
	// Queries runs the generated queries on the pool.
	Queries *db.Queries
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

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres at %s: %w", redactURL(cfg), err)
	}
	return New(pool), nil
}

// New wraps an open pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{Pool: pool, Queries: db.New(pool)}
}

// Close closes the pool.
func (s *Store) Close() {
	s.Pool.Close()
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise.
func (s *Store) InTx(ctx context.Context, fn func(tx pgx.Tx, q *db.Queries) error) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		return fn(tx, s.Queries.WithTx(tx))
	})
}

// WithAdvisoryLock runs fn in a transaction that first takes the
// transaction-level advisory lock id; the lock is released when the
// transaction ends, also when the connection drops.
func (s *Store) WithAdvisoryLock(
	ctx context.Context, id int64, fn func(tx pgx.Tx, q *db.Queries) error,
) error {
	return s.InTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", id); err != nil {
			return fmt.Errorf("take advisory lock %d: %w", id, err)
		}
		return fn(tx, q)
	})
}

// redactURL names the server of a pool config without its password.
func redactURL(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s:%d/%s (user %s)", c.Host, c.Port, c.Database, c.User)
}
