package keyfailover

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConcurrentWalks runs many walks at once over three keys, the first of
// which the upstream rate-limits, while the control plane reads states and
// reloads the same keys. Every walk must end on a valid key.
func TestConcurrentWalks(t *testing.T) {
	t.Parallel()
	tp := setup(t, keyA, keyB, keyC)

	const walkers = 500
	var (
		wg    sync.WaitGroup
		ended = make(chan string, walkers)
		start = make(chan struct{})
		stop  = make(chan struct{})
	)
	for range walkers {
		wg.Go(func() {
			<-start
			w := tp.pool.Walk()
			for {
				k, err := w.Next()
				if err != nil {
					ended <- err.Error()
					return
				}

				status := 200
				if k.Value() == keyA {
					status = 429
				}
				v := Classify(status, nil, nil)
				w.Report(k, v)
				if !v.Failover {
					ended <- k.Value()
					return
				}
			}
		})
	}

	var control sync.WaitGroup
	control.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = tp.pool.States()
			_ = tp.pool.Update([]string{keyA, keyB, keyC})
		}
	})

	close(start)
	wg.Wait()
	close(stop)
	control.Wait()
	close(ended)

	for got := range ended {
		require.Contains(t, []string{keyB, keyC}, got)
	}
	require.Equal(t, StateTemporary, tp.state(t, 0).State)
	require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_transitions_total",
		map[string]string{"reason": "rate_limit"}))
	require.Equal(t, float64(walkers), tp.metric(t, "aigateway_keyfailover_request_failovers",
		nil))
}

// BenchmarkWalk measures the hot path: every key valid, the first succeeds.
func BenchmarkWalk(b *testing.B) {
	pool, err := NewWithOptions("openai", []string{keyA, keyB, keyC}, Options{
		Metrics: NewMetrics(nil),
	})
	require.NoError(b, err)

	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := pool.Walk()
			k, err := w.Next()
			if err != nil {
				b.Fatal(err)
			}
			w.Report(k, Verdict{Success: true})
		}
	})
}
