package server_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/server"
)

// reachableDir makes a folder that the postgres system user can reach when
// the tests run as root: t.TempDir lies under a folder closed to others.
func reachableDir(t *testing.T) string {
	t.Helper()

	dir, err := os.MkdirTemp("", "aigateway-server-test-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func TestBuiltInPostgresKeepsData(t *testing.T) {
	t.Parallel()

	dir := reachableDir(t)
	tokenPath := filepath.Join(dir, server.AdminTokenFile)
	pidFile := filepath.Join(dir, "postgres", "data", "postmaster.pid")

	first := startServer(t, "", dir)
	token, err := os.ReadFile(tokenPath)
	require.NoError(t, err)
	require.FileExists(t, pidFile)
	first.shutdown(t)
	require.NoFileExists(t, pidFile, "shutdown stops the built-in postgres")

	// The second start finds the owner made by the first: it makes no new
	// one and leaves the token file alone.
	second := startServer(t, "", dir)
	again, err := os.ReadFile(tokenPath)
	require.NoError(t, err)
	require.Equal(t, token, again)
	second.shutdown(t)
	require.NoFileExists(t, pidFile)
}

// TestSecondServerOnDataDir checks that a second server on a data directory
// whose built-in Postgres a running server owns fails at once, naming the
// first, and leaves the first one working.
func TestSecondServerOnDataDir(t *testing.T) {
	t.Parallel()

	dir := reachableDir(t)
	first := startServer(t, "", dir)

	_, err := server.New(server.Config{
		HTTPAddress: "127.0.0.1:0", GRPCAddress: "127.0.0.1:0", DataDir: dir,
	})
	require.ErrorContains(t, err, "another aigateway server (pid ")
	require.ErrorContains(t, err, dir)

	code, _ := get(t, "http://"+first.srv.HTTPAddr()+"/readyz")
	require.Equal(t, 200, code)
}
