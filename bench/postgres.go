package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigateway/aigateway/pgcluster"
)

// machinePostgres is the machine's own Postgres, used when it answers.
const machinePostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" +
	"&connect_timeout=2"

// database is the bench's own database, which the gateway records into.
type database struct {
	url     string
	name    string
	pool    *pgxpool.Pool
	where   string // for the report: which Postgres serves it
	cleanup func(context.Context)
}

// openDatabase makes a fresh database: on adminURL when given, else on the
// machine's Postgres when it answers, else on a private cluster started
// under dir.
func openDatabase(ctx context.Context, adminURL, dir string) (*database, error) {
	where := "the Postgres at " + adminURL
	if adminURL == "" {
		adminURL, where = machinePostgres, "the machine's Postgres on 127.0.0.1:5432"
	}
	db, err := createDatabase(ctx, adminURL, where)
	if err == nil || adminURL != machinePostgres {
		return db, err
	}

	// No Postgres answers on 5432: start a private one, as the gateway's
	// built-in one does. As root it runs as the postgres user, which must
	// reach the folder.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "postgres")})
	if err != nil {
		return nil, fmt.Errorf("no Postgres on 127.0.0.1:5432, and a private one: %w", err)
	}
	db, err = createDatabase(ctx, c.AdminURL(), "a private Postgres started by the bench")
	if err != nil {
		_ = c.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	drop := db.cleanup
	db.cleanup = func(ctx context.Context) {
		drop(ctx)
		_ = c.Stop(ctx)
	}
	return db, nil
}

// createDatabase creates a database with a random name on the server of
// adminURL, and connects to it.
func createDatabase(ctx context.Context, adminURL, where string) (*database, error) {
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", where, err)
	}
	defer func() { _ = admin.Close(context.WithoutCancel(ctx)) }()

	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "aigateway_bench_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}

	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", name, err)
	}
	return &database{
		url: u.String(), name: name, pool: pool, where: where,
		cleanup: func(ctx context.Context) {
			pool.Close()
			conn, err := pgx.Connect(ctx, adminURL)
			if err != nil {
				return
			}
			defer func() { _ = conn.Close(ctx) }()
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		},
	}, nil
}

func (d *database) close(ctx context.Context) {
	d.cleanup(ctx)
}

// interceptions counts the interceptions recorded; 0 before the gateway
// has made the table.
func (d *database) interceptions(ctx context.Context) (int64, error) {
	var n int64
	err := d.pool.QueryRow(ctx, "SELECT count(*) FROM interceptions").Scan(&n)
	if err != nil {
		var exists bool
		qerr := d.pool.QueryRow(ctx,
			"SELECT to_regclass('interceptions') IS NOT NULL").Scan(&exists)
		if qerr == nil && !exists {
			return 0, nil
		}
		return 0, fmt.Errorf("count interceptions: %w", err)
	}
	return n, nil
}

// waitInterceptions polls until want interceptions are recorded or timeout
// passes, and returns the last count.
func (d *database) waitInterceptions(
	ctx context.Context, want int64, timeout time.Duration,
) (int64, error) {
	deadline := time.Now().Add(timeout)
	for {
		n, err := d.interceptions(ctx)
		if err != nil || n >= want || time.Now().After(deadline) {
			return n, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// backendCPU sums the CPU time of the Postgres backends that serve the
// bench's database, read from /proc. Postgres's shared processes (WAL
// writer, checkpointer) are not counted: on a shared server they also work
// for others.
func (d *database) backendCPU(ctx context.Context) (time.Duration, error) {
	rows, err := d.pool.Query(ctx, "SELECT pid FROM pg_stat_activity "+
		"WHERE datname = $1 AND pid <> pg_backend_pid()", d.name)
	if err != nil {
		return 0, fmt.Errorf("list backends: %w", err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return 0, fmt.Errorf("list backends: %w", err)
	}
	var total time.Duration
	for _, pid := range pids {
		// A backend may end between the query and the read.
		if cpu, err := procCPU(int(pid)); err == nil {
			total += cpu
		}
	}
	return total, nil
}
