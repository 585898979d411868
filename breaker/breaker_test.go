package breaker

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

const (
	provider = "anthropic"
	endpoint = "/v1/messages"
	model    = "claude-sonnet"
)

// testSet is what a breaker test needs: the set and its metrics registry.
type testSet struct {
	set *Set
	reg *prometheus.Registry
}

// setup returns a set with opts and a fresh metrics registry.
func setup(t *testing.T, opts Options) testSet {
	t.Helper()

	reg := prometheus.NewRegistry()
	opts.Metrics = NewMetrics(reg)
	return testSet{set: NewWithOptions(opts), reg: reg}
}

// call makes one call through the breaker that the upstream answers with
// status, and fails the test if the breaker refuses it.
func (ts testSet) call(t *testing.T, status int) {
	t.Helper()

	done, err := ts.set.Allow(provider, endpoint, model)
	require.NoError(t, err)
	done(status)
}

// state returns the state of the test breaker.
func (ts testSet) state(t *testing.T) string {
	t.Helper()

	for _, s := range ts.set.States() {
		if s.Provider == provider && s.Endpoint == endpoint && s.Model == model {
			return s.State
		}
	}
	t.Fatal("no breaker for the test target")
	return ""
}

// refused asks the breaker for a call and returns its refusal.
func (ts testSet) refused(t *testing.T) *OpenError {
	t.Helper()

	done, err := ts.set.Allow(provider, endpoint, model)
	require.Nil(t, done)
	var open *OpenError
	require.ErrorAs(t, err, &open)
	return open
}

// metric returns the value of the test breaker's gauge or counter name.
func (ts testSet) metric(t *testing.T, name string) float64 {
	t.Helper()

	families, err := ts.reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.Gauge != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// waitState waits, without sleeping blind, until the breaker reaches want.
func (ts testSet) waitState(t *testing.T, want string) {
	t.Helper()

	require.Eventually(t, func() bool { return ts.state(t) == want },
		5*time.Second, time.Millisecond)
}

func TestOpensOnOverload(t *testing.T) {
	t.Parallel()

	for _, status := range []int{503, StatusOverloaded} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			ts := setup(t, Options{})

			for range DefaultFailureThreshold - 1 {
				ts.call(t, status)
			}
			require.Equal(t, "closed", ts.state(t))
			require.Equal(t, 0.0, ts.metric(t, "aigateway_breaker_state"))

			ts.call(t, status)
			require.Equal(t, "open", ts.state(t))
			require.Equal(t, 2.0, ts.metric(t, "aigateway_breaker_state"))
			require.Equal(t, 1.0, ts.metric(t, "aigateway_breaker_trips_total"))
		})
	}
}

func TestStaysClosedUnderRateLimitsAndClientErrors(t *testing.T) {
	t.Parallel()
	ts := setup(t, Options{})

	for range 20 {
		for _, status := range []int{429, 400, 401, 404, 413, 422} {
			ts.call(t, status)
		}
	}
	require.Equal(t, "closed", ts.state(t))
	require.Equal(t, 0.0, ts.metric(t, "aigateway_breaker_trips_total"))
}

func TestExcludedAnswersKeepTheRun(t *testing.T) {
	t.Parallel()
	ts := setup(t, Options{})

	for range DefaultFailureThreshold - 1 {
		ts.call(t, 503)
	}
	for _, status := range []int{400, 429, 500, 502, 504, NoAnswer} {
		ts.call(t, status)
	}
	require.Equal(t, "closed", ts.state(t))
	require.Equal(t, uint32(DefaultFailureThreshold-1), ts.set.States()[0].ConsecutiveFailures)

	ts.call(t, 529)
	require.Equal(t, "open", ts.state(t))
}

func TestSuccessResetsTheRun(t *testing.T) {
	t.Parallel()
	ts := setup(t, Options{})

	for _, success := range []int{200, 201, 304} {
		for range DefaultFailureThreshold - 1 {
			ts.call(t, 503)
		}
		ts.call(t, success)
		require.Equal(t, uint32(0), ts.set.States()[0].ConsecutiveFailures)
	}
	require.Equal(t, "closed", ts.state(t))
}

func TestOpenError(t *testing.T) {
	t.Parallel()
	ts := setup(t, Options{FailureThreshold: 2, Timeout: time.Minute})

	ts.call(t, 503)
	ts.call(t, 503)
	open := ts.refused(t)
	require.Equal(t, provider, open.Provider)
	require.Equal(t, endpoint, open.Endpoint)
	require.Equal(t, model, open.Model)
	require.False(t, open.HalfOpen)
	require.LessOrEqual(t, open.Wait, time.Minute)
	require.Greater(t, open.Wait, 50*time.Second)
	require.Equal(t, 60, open.RetryAfterSeconds())
	require.Contains(t, open.Error(), "is open")
}

func TestRetryAfterSeconds(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct {
		wait time.Duration
		want int
	}{
		{wait: 0, want: 1},
		{wait: time.Millisecond, want: 1},
		{wait: time.Second, want: 1},
		{wait: 1500 * time.Millisecond, want: 2},
		{wait: 30 * time.Second, want: 30},
	} {
		require.Equal(t, tt.want, (&OpenError{Wait: tt.wait}).RetryAfterSeconds(), tt.wait)
	}
}

func TestHalfOpenProbesClose(t *testing.T) {
	t.Parallel()
	ts := setup(t, Options{FailureThreshold: 1, Timeout: 20 * time.Millisecond})

	ts.call(t, 503)
	require.Equal(t, "open", ts.state(t))
	ts.waitState(t, "half-open")
	require.Equal(t, 1.0, ts.metric(t, "aigateway_breaker_state"))

	var probes []func(int)
	for range DefaultMaxRequests {
		done, err := ts.set.Allow(provider, endpoint, model)
		require.NoError(t, err)
		probes = append(probes, done)
	}
	open := ts.refused(t)
	require.True(t, open.HalfOpen)
	require.Equal(t, 1, open.RetryAfterSeconds())
	require.Contains(t, open.Error(), "probing")

	// A probe answered with a rate limit says nothing and frees its slot.
	probes[0](429)
	done, err := ts.set.Allow(provider, endpoint, model)
	require.NoError(t, err)
	probes[0] = done

	for i, done := range probes {
		done(200)
		if i < len(probes)-1 {
			require.Equal(t, "half-open", ts.state(t))
		}
	}
	require.Equal(t, "closed", ts.state(t))
	require.Equal(t, 0.0, ts.metric(t, "aigateway_breaker_state"))
	ts.call(t, 200)
}

func TestFailedProbeReopens(t *testing.T) {
	t.Parallel()
	ts := setup(t, Options{FailureThreshold: 1, Timeout: 20 * time.Millisecond})

	ts.call(t, 529)
	ts.waitState(t, "half-open")

	ok, err := ts.set.Allow(provider, endpoint, model)
	require.NoError(t, err)
	failed, err := ts.set.Allow(provider, endpoint, model)
	require.NoError(t, err)
	failed(503)
	require.Equal(t, "open", ts.state(t))
	require.Equal(t, 2.0, ts.metric(t, "aigateway_breaker_trips_total"))

	// A probe of the previous round answers late and changes nothing.
	ok(200)
	require.Equal(t, "open", ts.state(t))
	require.False(t, ts.refused(t).HalfOpen)

	ts.waitState(t, "half-open")
}

func TestBreakersAreSeparate(t *testing.T) {
	t.Parallel()
	ts := setup(t, Options{FailureThreshold: 1, Timeout: time.Minute})

	ts.call(t, 503)
	require.Equal(t, "open", ts.state(t))

	for _, other := range [][3]string{
		{provider, endpoint, "claude-haiku"},
		{provider, "/v1/complete", model},
		{"anthropic-corp", endpoint, model},
	} {
		done, err := ts.set.Allow(other[0], other[1], other[2])
		require.NoError(t, err)
		done(200)
	}

	states := ts.set.States()
	require.Len(t, states, 4)
	require.Equal(t, Status{
		Provider: provider, Endpoint: "/v1/complete", Model: model, State: "closed",
	}, states[0])
	require.Equal(t, "anthropic-corp", states[3].Provider)
}

func TestDisabled(t *testing.T) {
	t.Parallel()
	ts := setup(t, Options{Disabled: true, FailureThreshold: 1})

	for range 10 {
		ts.call(t, 503)
	}
	require.Empty(t, ts.set.States())
}

func TestNilMetrics(t *testing.T) {
	t.Parallel()
	ts := testSet{set: NewWithOptions(Options{FailureThreshold: 1, Timeout: time.Minute})}

	ts.call(t, 503)
	require.Equal(t, "open", ts.state(t))
	require.False(t, ts.refused(t).HalfOpen)
	require.Len(t, New().States(), 0)
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	ts := setup(t, Options{Timeout: 5 * time.Millisecond})

	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			m := model + strconv.Itoa(i%4)
			for j := range 50 {
				done, err := ts.set.Allow(provider, endpoint, m)
				if err != nil {
					if !errors.As(err, new(*OpenError)) {
						t.Errorf("unexpected error: %v", err)
					}
					continue
				}
				done([]int{200, 503, 529, 429}[j%4])
			}
		})
	}
	wg.Go(func() {
		for range 100 {
			_ = ts.set.States()
		}
	})
	wg.Wait()
	require.Len(t, ts.set.States(), 4)
}

func BenchmarkAllow(b *testing.B) {
	set := NewWithOptions(Options{Metrics: NewMetrics(nil)})

	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			done, err := set.Allow(provider, endpoint, model)
			if err != nil {
				b.Fatal(err)
			}
			done(200)
		}
	})
}
