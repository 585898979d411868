package providers_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/aigateway/aigateway/providers"
)

// reloadWithin is how soon a server must pick up a notified change.
const reloadWithin = time.Second

// reconnectWithin bounds a reconnect after the listener's connection was
// killed: a backoff and a new connection, with no promise of a second.
const reconnectWithin = 15 * time.Second

// notify announces a change the way the control plane does.
func (s *seedSetup) notify(t *testing.T) {
	t.Helper()
	require.NoError(t, providers.Notify(t.Context(), s.st.Queries))
}

// listenerPID returns the backend pid of the loader's listening connection
// on the test database, or 0 when there is none.
func (s *seedSetup) listenerPID(t *testing.T) int {
	t.Helper()

	var pid int
	err := s.st.Pool.QueryRow(t.Context(), `
		SELECT coalesce(max(pid), 0) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`,
		providers.ListenerApplicationName).Scan(&pid)
	require.NoError(t, err)
	return pid
}

// baseURL returns the base URL of the named provider in set, "" when the
// set lacks it.
func baseURL(set *providers.Set, name string) string {
	p, ok := set.Get(name)
	if !ok {
		return ""
	}
	return p.BaseURL
}

// requireBaseURL waits until the loader's set gives the openai provider
// the base URL want.
func requireBaseURL(t *testing.T, l *providers.Loader, want string) {
	t.Helper()
	requireBaseURLWithin(t, l, want, reloadWithin)
}

func requireBaseURLWithin(t *testing.T, l *providers.Loader, want string, d time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		return baseURL(l.Current(), "openai") == want
	}, d, 5*time.Millisecond)
}

func TestLoaderReloadsOnNotify(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t, twoProviders...))
	l := s.startLoader(t)
	first := l.Current()
	require.Equal(t, 2, first.Len())

	// Sets beyond the buffer are dropped rather than blocking the loader.
	sets := make(chan *providers.Set, 10)
	unsubscribe := l.Subscribe(func(set *providers.Set) {
		select {
		case sets <- set:
		default:
		}
	})
	t.Cleanup(unsubscribe)
	require.Same(t, first, <-sets, "a subscriber gets the current set at once")

	s.exec(t, `UPDATE ai_providers SET base_url = 'https://openai.example.com',
		enabled = false, updated_at = now() WHERE name = 'openai'`)
	s.notify(t)

	requireBaseURL(t, l, "https://openai.example.com")
	require.Equal(t, "https://api.openai.com/v1", baseURL(first, "openai"),
		"a set never changes once built")

	// A disabled provider stays in the set, marked, so that the data plane
	// can say it is disabled rather than unknown.
	openai, ok := l.Current().Get("openai")
	require.True(t, ok)
	require.False(t, openai.Enabled)

	select {
	case set := <-sets:
		require.False(t, first == set)
	case <-time.After(reloadWithin):
		t.Fatal("the subscriber missed the new set")
	}
}

func TestLoaderReconnects(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t, twoProviders...))
	l := s.startLoader(t)

	pid := s.listenerPID(t)
	require.NotZero(t, pid)
	var killed bool
	err := s.st.Pool.QueryRow(t.Context(), "SELECT pg_terminate_backend($1)", pid).Scan(&killed)
	require.NoError(t, err)
	require.True(t, killed)

	// A change made while the listener is away is not notified; the
	// rebuild that follows the reconnect picks it up.
	s.exec(t, "UPDATE ai_providers SET base_url = 'https://one.example.com' WHERE name = 'openai'")
	requireBaseURLWithin(t, l, "https://one.example.com", reconnectWithin)
	require.Eventually(t, func() bool {
		return s.logs.Contains("providers listener reconnected")
	}, reconnectWithin, 5*time.Millisecond)
	require.NotEqual(t, pid, s.listenerPID(t))

	// The new connection listens again.
	s.exec(t, "UPDATE ai_providers SET base_url = 'https://two.example.com' WHERE name = 'openai'")
	s.notify(t)
	requireBaseURL(t, l, "https://two.example.com")
}

func TestLoaderPingsWhileIdle(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t, twoProviders...))
	l := s.startLoaderWithOptions(t, providers.LoaderOptions{PingInterval: time.Millisecond})
	pid := s.listenerPID(t)

	// pgx pings with an empty statement that names itself.
	require.Eventually(t, func() bool {
		var query string
		err := s.st.Pool.QueryRow(t.Context(),
			"SELECT query FROM pg_stat_activity WHERE pid = $1", pid).Scan(&query)
		return err == nil && query == "-- ping"
	}, reloadWithin, 5*time.Millisecond)

	// Timed-out waits leave the connection usable.
	s.exec(t, "UPDATE ai_providers SET base_url = 'https://one.example.com' WHERE name = 'openai'")
	s.notify(t)
	requireBaseURL(t, l, "https://one.example.com")
	require.Equal(t, pid, s.listenerPID(t))
	require.False(t, s.logs.Contains("providers listener lost its connection"))
}

func TestLoaderKeepsLastGoodSet(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t, twoProviders...))
	l := s.startLoader(t)
	good := l.Current()

	// Settings that do not decode fail the whole rebuild.
	s.exec(t, `UPDATE ai_providers SET settings = '{"bedrock": "broken"}',
		base_url = 'https://openai.example.com'`)
	s.notify(t)
	require.Eventually(t, func() bool {
		return s.logs.Contains("rebuild providers; keeping the last good set")
	}, reloadWithin, 5*time.Millisecond)
	require.Same(t, good, l.Current())
	require.True(t, s.logs.Contains("level=ERROR"))
	requireNoSecret(t, s.logs.String())

	// Once the row is fixed, the next notification brings the new set.
	s.exec(t, `UPDATE ai_providers SET settings = '{}'`)
	s.notify(t)
	requireBaseURL(t, l, "https://openai.example.com")
}

func TestLoaderStartFailsWithoutDatabase(t *testing.T) {
	t.Parallel()
	s := setup(t)
	s.st.Close()

	l := providers.NewLoader(s.st, s.logger)
	require.Error(t, l.Start(t.Context()))
	require.Nil(t, l.Current())
	l.Wait()
}

// TestLoaderStopsItsGoroutines checks that a loader leaves no goroutine
// behind once its context ends, reconnects included. It does not run in
// parallel, so that other tests' goroutines do not confuse the check.
func TestLoaderStopsItsGoroutines(t *testing.T) {
	s := setup(t)
	require.NoError(t, s.seed(t, twoProviders...))
	ignore := goleak.IgnoreCurrent()

	ctx, cancel := context.WithCancel(context.Background())
	l := providers.NewLoader(s.st, s.logger)
	require.NoError(t, l.Start(ctx))

	_, err := s.st.Pool.Exec(t.Context(), "SELECT pg_terminate_backend($1)", s.listenerPID(t))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return s.logs.Contains("providers listener reconnected")
	}, reloadWithin, 5*time.Millisecond)

	cancel()
	l.Wait()
	goleak.VerifyNone(t, ignore)
}
