package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/client"
	"github.com/aigateway/aigateway/dbtest"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/server"
	"github.com/aigateway/aigateway/store"
)

// running is a server started by startServer.
type running struct {
	srv  *server.Server
	done chan error
	stop context.CancelFunc
	dir  string
}

// startServer runs a server on postgresURL with loopback listeners and
// waits until /readyz answers 200.
func startServer(
	t *testing.T, postgresURL, dataDir string, tweak ...func(*server.Config),
) *running {
	t.Helper()

	cfg := server.Config{
		HTTPAddress: "127.0.0.1:0",
		GRPCAddress: "127.0.0.1:0",
		PostgresURL: postgresURL,
		DataDir:     dataDir,
	}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := server.New(cfg)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	r := &running{srv: srv, done: make(chan error, 1), stop: cancel, dir: dataDir}
	go func() { r.done <- srv.Run(ctx) }()
	t.Cleanup(func() { r.shutdown(t) })

	require.Eventually(t, func() bool {
		code, _ := get(t, "http://"+srv.HTTPAddr()+"/readyz")
		return code == http.StatusOK
	}, time.Minute, 20*time.Millisecond)
	return r
}

// shutdown stops the server and requires a clean exit.
func (r *running) shutdown(t *testing.T) {
	t.Helper()

	if r.stop == nil {
		return
	}
	r.stop()
	r.stop = nil
	select {
	case err := <-r.done:
		require.NoError(t, err)
	case <-time.After(time.Minute):
		t.Fatal("server did not stop")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()

	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestHealthOverBothTransports(t *testing.T) {
	t.Parallel()

	r := startServer(t, dbtest.NewURL(t), t.TempDir())

	code, body := get(t, "http://"+r.srv.HTTPAddr()+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok\n", body)

	grpcClient, err := client.Dial(r.srv.GRPCAddr(), client.DialOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = grpcClient.Close() })

	pipe := r.srv.Pipe(t.Context())
	pipeClient := client.NewInProcess(pipe.Dial)
	t.Cleanup(func() { _ = pipeClient.Close() })

	for name, c := range map[string]*client.Client{"GRPC": grpcClient, "DRPC": pipeClient} {
		t.Run(name, func(t *testing.T) {
			resp, err := c.Health.Check(t.Context(), &aigatewayv1.CheckRequest{})
			require.NoError(t, err)
			require.True(t, resp.GetReady())
			require.Empty(t, resp.GetReason())
		})
	}
}

func TestFirstStartMakesOneOwner(t *testing.T) {
	t.Parallel()

	url := dbtest.NewURL(t)
	dirs := []string{t.TempDir(), t.TempDir()}

	// Both servers start at once against one empty database.
	var wg sync.WaitGroup
	for _, dir := range dirs {
		wg.Go(func() { startServer(t, url, dir) })
	}
	wg.Wait()

	st, err := store.Open(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(st.Close)

	users, err := st.Queries.ListUsers(t.Context())
	require.NoError(t, err)
	require.Len(t, users, 1)
	require.Equal(t, server.AdminUsername, users[0].Username)

	var tokenFiles int
	for _, dir := range dirs {
		info, err := os.Stat(filepath.Join(dir, server.AdminTokenFile))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		tokenFiles++
	}
	require.Equal(t, 1, tokenFiles)
}

func TestReadyzAfterPostgresGoesAway(t *testing.T) {
	t.Parallel()

	pgURL := dbtest.NewURL(t)
	r := startServer(t, pgURL, t.TempDir())
	u, err := url.Parse(pgURL)
	require.NoError(t, err)
	dbName := strings.TrimPrefix(u.Path, "/")

	// Terminate the gateway's connections and forbid new ones.
	admin, err := store.Open(t.Context(), dbtest.AdminURL(t))
	require.NoError(t, err)
	t.Cleanup(admin.Close)
	_, err = admin.Pool.Exec(t.Context(),
		"ALTER DATABASE "+quoteIdent(dbName)+" ALLOW_CONNECTIONS false")
	require.NoError(t, err)
	_, err = admin.Pool.Exec(t.Context(),
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", dbName)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Pool.Exec(context.Background(),
			"ALTER DATABASE "+quoteIdent(dbName)+" ALLOW_CONNECTIONS true")
	})

	code, body := get(t, "http://"+r.srv.HTTPAddr()+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Contains(t, body, "postgres does not answer")
}

func quoteIdent(s string) string {
	return `"` + s + `"`
}
