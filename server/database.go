package server

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/aigateway/aigateway/pgcluster"
	"github.com/aigateway/aigateway/store"
)

// Database is the gateway's migrated Postgres, with the built-in cluster
// that serves it when no URL was given.
type Database struct {
	// Store is the open store.
	Store *store.Store
	// KeepAdoptedCluster leaves the built-in Postgres running at Close when
	// another process had started it, such as a running server.
	KeepAdoptedCluster bool

	cluster *pgcluster.Cluster
	logger  *slog.Logger
}

// OpenDatabase connects to postgresURL, or starts the built-in Postgres in
// <dataDir>/postgres when postgresURL is empty, and applies the migrations.
func OpenDatabase(
	ctx context.Context, postgresURL, dataDir string, logger *slog.Logger,
) (*Database, error) {
	d := &Database{logger: logger}
	if postgresURL == "" {
		c, err := pgcluster.Start(ctx, pgcluster.Options{
			Dir:    filepath.Join(dataDir, "postgres"),
			Logger: logger,
		})
		if err != nil {
			return nil, fmt.Errorf("built-in postgres: %w", err)
		}
		d.cluster = c
		postgresURL = c.URL()
	}

	st, err := store.Open(ctx, postgresURL)
	if err != nil {
		d.stopCluster(ctx)
		return nil, err
	}
	d.Store = st
	if err := st.Migrate(ctx); err != nil {
		d.Close(ctx)
		return nil, err
	}
	return d, nil
}

// Close closes the pool and stops the built-in Postgres, if it runs.
func (d *Database) Close(ctx context.Context) {
	if d.Store != nil {
		d.Store.Close()
	}
	d.stopCluster(ctx)
}

func (d *Database) stopCluster(ctx context.Context) {
	if d.cluster == nil || (d.KeepAdoptedCluster && d.cluster.Adopted()) {
		return
	}
	if err := d.cluster.Stop(context.WithoutCancel(ctx)); err != nil {
		d.logger.Error("stop built-in postgres", "error", err)
	}
}
