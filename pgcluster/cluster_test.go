package pgcluster_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/pgcluster"
)

func TestMissingBinariesNamePackage(t *testing.T) {
	t.Parallel()

	_, err := pgcluster.Start(t.Context(), pgcluster.Options{
		Dir:    t.TempDir(),
		BinDir: t.TempDir(),
	})
	require.ErrorIs(t, err, pgcluster.ErrBinariesMissing)
	require.Contains(t, err.Error(), "apt-get install postgresql")
}

func TestFindBinaries(t *testing.T) {
	t.Parallel()

	dir, err := pgcluster.FindBinaries()
	require.NoError(t, err, "the tests need the postgres server binaries")
	require.FileExists(t, dir+"/initdb")
	require.FileExists(t, dir+"/pg_ctl")
}

// TestNoTCPListener starts a cluster and checks that it answers on its Unix
// socket only: it trusts every connection, so no other local user may
// reach it over TCP.
func TestNoTCPListener(t *testing.T) {
	t.Parallel()

	dir, err := os.MkdirTemp("", "aigateway-pgcluster-test-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))

	c, err := pgcluster.Start(t.Context(), pgcluster.Options{
		Dir: filepath.Join(dir, "pg"), Ephemeral: true,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Stop(context.Background())) })

	conn, err := pgx.Connect(t.Context(), c.URL())
	require.NoError(t, err)
	var one int
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT 1").Scan(&one))
	require.NoError(t, conn.Close(t.Context()))

	u, err := url.Parse(c.URL())
	require.NoError(t, err)
	port := u.Query().Get("port")
	_, err = net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), time.Second)
	require.Error(t, err, "no TCP listener on port %s", port)
}
