package keyfailover

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	ns atomic.Int64
}

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time {
	return time.Unix(0, c.ns.Load()).UTC()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.ns.Add(int64(d))
}

// testPool is what a pool test needs: the pool, its clock and the registry
// holding its metrics.
type testPool struct {
	pool  *Pool
	clock *fakeClock
	reg   *prometheus.Registry
}

// setup returns a pool for provider "openai" over keys, with default Options
// but for a fake clock and a fresh metrics registry.
func setup(t *testing.T, keys ...string) testPool {
	t.Helper()

	clock := newFakeClock()
	reg := prometheus.NewRegistry()
	pool, err := NewWithOptions("openai", keys, Options{
		Now:     clock.Now,
		Metrics: NewMetrics(reg),
	})
	require.NoError(t, err)
	return testPool{pool: pool, clock: clock, reg: reg}
}

// walk runs one walk to its end, answering each key with answers[key], or
// with a 200 for a key not in answers. It returns the keys tried in order and
// the walk's error.
func (tp testPool) walk(t *testing.T, answers map[string]Verdict) ([]string, error) {
	t.Helper()

	var tried []string
	w := tp.pool.Walk()
	for {
		k, err := w.Next()
		if err != nil {
			return tried, err
		}
		tried = append(tried, k.Value())

		v, ok := answers[k.Value()]
		if !ok {
			v = Verdict{Success: true}
		}
		w.Report(k, v)
		if !v.Failover {
			return tried, nil
		}
	}
}

// state returns the snapshot of the key at index i.
func (tp testPool) state(t *testing.T, i int) KeyState {
	t.Helper()

	states := tp.pool.States()
	require.Greater(t, len(states), i)
	return states[i]
}

// metric returns the value of the counter or gauge named name whose labels
// include labels, or the sample count of such a histogram; zero when absent.
func (tp testPool) metric(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()

	families, err := tp.reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			case m.Gauge != nil:
				return m.GetGauge().GetValue()
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return 0
}

var (
	rateLimited  = Verdict{Failover: true, Reason: ReasonRateLimit}
	unauthorized = Verdict{Failover: true, Reason: ReasonAuthentication}
)
