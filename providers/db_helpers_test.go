package providers_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/store"
)

// logBuffer collects log lines for a test. It is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything logged so far.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Contains reports whether the log holds s.
func (b *logBuffer) Contains(s string) bool {
	return strings.Contains(b.String(), s)
}

// seedSetup is the bundle of a test on its own database.
type seedSetup struct {
	st     *store.Store
	url    string
	logs   *logBuffer
	logger *slog.Logger
}

// setup gives a test its own migrated database and a logger that records
// every level.
func setup(t *testing.T) *seedSetup {
	t.Helper()

	url := dbtest.NewURL(t)
	st, err := store.Open(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(st.Close)

	logs := &logBuffer{}
	handler := slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})
	return &seedSetup{st: st, url: url, logs: logs, logger: slog.New(handler)}
}

// seed parses environ and seeds the providers it configures.
func (s *seedSetup) seed(t *testing.T, environ ...string) error {
	t.Helper()

	env, err := providers.ParseEnv(environ)
	require.NoError(t, err)
	return providers.Seed(t.Context(), s.st, env, s.logger)
}

// exec runs a statement on the test database.
func (s *seedSetup) exec(t *testing.T, sql string, args ...any) {
	t.Helper()

	_, err := s.st.Pool.Exec(t.Context(), sql, args...)
	require.NoError(t, err)
}

// count returns the result of a count query.
func (s *seedSetup) count(t *testing.T, sql string, args ...any) int {
	t.Helper()

	var n int
	require.NoError(t, s.st.Pool.QueryRow(t.Context(), sql, args...).Scan(&n))
	return n
}

// build returns the providers stored in the test database.
func (s *seedSetup) build(t *testing.T) *providers.Set {
	t.Helper()

	set, err := providers.BuildProviders(t.Context(), s.st.Queries)
	require.NoError(t, err)
	return set
}

// startLoader starts a loader on the test database and stops it, waiting
// for its goroutines, when the test ends.
func (s *seedSetup) startLoader(t *testing.T) *providers.Loader {
	t.Helper()
	return s.startLoaderWithOptions(t, providers.LoaderOptions{})
}

// startLoaderWithOptions is startLoader with options; the logger is the
// test's.
func (s *seedSetup) startLoaderWithOptions(
	t *testing.T, opts providers.LoaderOptions,
) *providers.Loader {
	t.Helper()

	opts.Logger = s.logger
	ctx, cancel := context.WithCancel(context.Background())
	l := providers.NewLoaderWithOptions(s.st, opts)
	require.NoError(t, l.Start(ctx))
	t.Cleanup(func() {
		cancel()
		l.Wait()
	})
	return l
}
