package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/store"
)

func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()

	ctx := t.Context()
	st, err := store.Open(ctx, dbtest.NewEmptyURL(t))
	require.NoError(t, err)
	t.Cleanup(st.Close)

	latest, err := store.LatestVersion()
	require.NoError(t, err)

	m, err := st.NewMigrator()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })

	require.NoError(t, m.Up())
	requireVersion(t, m, latest)
	tables := userTables(ctx, t, st)
	require.Subset(t, tables, []string{"api_tokens", "users"})

	require.NoError(t, m.Down())
	requireVersion(t, m, 0)
	require.Empty(t, userTables(ctx, t, st), "down removes every table")

	require.NoError(t, m.Up())
	requireVersion(t, m, latest)
	require.Equal(t, tables, userTables(ctx, t, st))
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()

	url := dbtest.NewEmptyURL(t)
	const servers = 4

	var wg sync.WaitGroup
	errs := make([]error, servers)
	for i := range servers {
		wg.Go(func() {
			st, err := store.Open(t.Context(), url)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			errs[i] = st.Migrate(t.Context())
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	st, err := store.Open(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	m, err := st.NewMigrator()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })

	latest, err := store.LatestVersion()
	require.NoError(t, err)
	requireVersion(t, m, latest)
}

func requireVersion(t *testing.T, m *store.Migrator, want uint) {
	t.Helper()

	got, dirty, err := m.Version()
	require.NoError(t, err)
	require.False(t, dirty)
	require.Equal(t, want, got)
}

// userTables lists the tables of the public schema, apart from
// golang-migrate's own.
func userTables(ctx context.Context, t *testing.T, st *store.Store) []string {
	t.Helper()

	rows, err := st.Pool.Query(ctx, `
		SELECT tablename FROM pg_tables
		WHERE schemaname = 'public' AND tablename <> 'schema_migrations'
		ORDER BY tablename`)
	require.NoError(t, err)
	var names []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		names = append(names, name)
	}
	require.NoError(t, rows.Err())
	return names
}
