package keyfailover

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWalkAllValid(t *testing.T) {
	t.Parallel()
	tp := setup(t, keyA, keyB)

	tried, err := tp.walk(t, nil)
	require.NoError(t, err)
	require.Equal(t, []string{keyA}, tried)
	require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_request_failovers", nil))
}

func TestWalkEndsOnErrorNotAboutTheKey(t *testing.T) {
	t.Parallel()
	tp := setup(t, keyA, keyB)

	tried, err := tp.walk(t, map[string]Verdict{keyA: ClassifyAt(time.Time{}, 500, nil, nil)})
	require.NoError(t, err)
	require.Equal(t, []string{keyA}, tried)
	require.Equal(t, StateValid, tp.state(t, 0).State)
}

func TestWalkDone(t *testing.T) {
	t.Parallel()
	tp := setup(t, keyA)

	w := tp.pool.Walk()
	k, err := w.Next()
	require.NoError(t, err)
	w.Report(k, Verdict{Success: true})

	_, err = w.Next()
	require.ErrorIs(t, err, ErrWalkDone)
}

func TestCooldown(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		opts Options
		v    Verdict
		want time.Duration
	}{
		{name: "rate limit default", v: rateLimited, want: time.Minute},
		{
			name: "rate limit configured",
			opts: Options{Cooldown: 5 * time.Second},
			v:    rateLimited,
			want: 5 * time.Second,
		},
		{name: "rate limit named", v: withWait(rateLimited, 42*time.Second), want: 42 * time.Second},
		{name: "rate limit capped", v: withWait(rateLimited, 3*time.Hour), want: time.Hour},
		{name: "quota default", v: quota(0), want: time.Hour},
		{name: "quota shorter named wait", v: quota(10 * time.Minute), want: time.Hour},
		{
			name: "quota longer named wait",
			opts: Options{QuotaCooldown: 5 * time.Minute},
			v:    quota(10 * time.Minute),
			want: 10 * time.Minute,
		},
		{
			name: "quota capped",
			opts: Options{QuotaCooldown: 2 * time.Hour},
			v:    quota(0),
			want: time.Hour,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			clock := newFakeClock()
			tt.opts.Now = clock.Now
			pool, err := NewWithOptions("openai", []string{keyA, keyB}, tt.opts)
			require.NoError(t, err)
			tp := testPool{pool: pool, clock: clock}

			start := clock.Now()
			_, err = tp.walk(t, map[string]Verdict{keyA: tt.v})
			require.NoError(t, err)

			got := tp.state(t, 0)
			require.Equal(t, StateTemporary, got.State)
			require.Equal(t, tt.v.Reason, got.Reason)
			require.Equal(t, start, got.Since)
			require.Equal(t, start.Add(tt.want), got.Until)
		})
	}
}

func TestCooldownExpires(t *testing.T) {
	t.Parallel()
	tp := setup(t, keyA, keyB)

	tried, err := tp.walk(t, map[string]Verdict{keyA: rateLimited})
	require.NoError(t, err)
	require.Equal(t, []string{keyA, keyB}, tried)
	require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_keys",
		map[string]string{"state": "temporary"}))

	tp.clock.Advance(time.Minute - time.Nanosecond)
	tried, err = tp.walk(t, nil)
	require.NoError(t, err)
	require.Equal(t, []string{keyB}, tried)

	tp.clock.Advance(time.Nanosecond)
	tried, err = tp.walk(t, nil)
	require.NoError(t, err)
	require.Equal(t, []string{keyA}, tried)

	got := tp.state(t, 0)
	require.Equal(t, StateValid, got.State)
	require.Equal(t, tp.clock.Now(), got.Since)
	require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_transitions_total",
		map[string]string{"reason": "cooldown_ended"}))
	require.Equal(t, 2.0, tp.metric(t, "aigateway_keyfailover_keys",
		map[string]string{"state": "valid"}))
}

func TestLongerCooldownWins(t *testing.T) {
	t.Parallel()
	tp := setup(t, keyA, keyB)
	start := tp.clock.Now()

	_, err := tp.walk(t, map[string]Verdict{keyA: withWait(rateLimited, 10*time.Minute)})
	require.NoError(t, err)

	// A walk that took keyA before it was marked reports a shorter wait.
	w := tp.pool.Walk()
	w.entries = w.entries[:1]
	w.current = w.entries[0]
	w.Report(Key{e: w.entries[0]}, rateLimited)

	require.Equal(t, start.Add(10*time.Minute), tp.state(t, 0).Until)
	require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_transitions_total",
		map[string]string{"reason": "rate_limit"}))
}

func TestPermanentMarks(t *testing.T) {
	t.Parallel()

	for _, v := range []Verdict{
		unauthorized,
		{Failover: true, Reason: ReasonBilling},
		{Failover: true, Reason: ReasonDisabled},
	} {
		t.Run(string(v.Reason), func(t *testing.T) {
			t.Parallel()
			tp := setup(t, keyA, keyB)
			start := tp.clock.Now()

			tried, err := tp.walk(t, map[string]Verdict{keyA: v})
			require.NoError(t, err)
			require.Equal(t, []string{keyA, keyB}, tried)

			got := tp.state(t, 0)
			require.Equal(t, StatePermanent, got.State)
			require.Equal(t, v.Reason, got.Reason)
			require.Equal(t, start, got.Since)
			require.Equal(t, start.Add(DefaultProbeInterval), got.Until)
			require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_transitions_total",
				map[string]string{"reason": string(v.Reason)}))
		})
	}
}

func TestProbe(t *testing.T) {
	t.Parallel()

	t.Run("success returns the key", func(t *testing.T) {
		t.Parallel()
		tp := setup(t, keyA, keyB)
		_, err := tp.walk(t, map[string]Verdict{keyA: unauthorized})
		require.NoError(t, err)

		tp.clock.Advance(DefaultProbeInterval - time.Second)
		tried, err := tp.walk(t, nil)
		require.NoError(t, err)
		require.Equal(t, []string{keyB}, tried)

		tp.clock.Advance(time.Second)
		tried, err = tp.walk(t, nil)
		require.NoError(t, err)
		require.Equal(t, []string{keyA}, tried)
		require.Equal(t, StateValid, tp.state(t, 0).State)
		require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_transitions_total",
			map[string]string{"reason": "probe_succeeded"}))
	})

	t.Run("failure restarts the interval", func(t *testing.T) {
		t.Parallel()
		tp := setup(t, keyA, keyB)
		_, err := tp.walk(t, map[string]Verdict{keyA: unauthorized})
		require.NoError(t, err)

		tp.clock.Advance(DefaultProbeInterval)
		probed := tp.clock.Now()
		billing := Verdict{Failover: true, Reason: ReasonBilling}
		tried, err := tp.walk(t, map[string]Verdict{keyA: billing})
		require.NoError(t, err)
		require.Equal(t, []string{keyA, keyB}, tried)

		got := tp.state(t, 0)
		require.Equal(t, StatePermanent, got.State)
		require.Equal(t, ReasonBilling, got.Reason)
		require.Equal(t, probed, got.Since)
		require.Equal(t, probed.Add(DefaultProbeInterval), got.Until)
		require.False(t, got.Probing)

		tp.clock.Advance(DefaultProbeInterval - time.Second)
		tried, err = tp.walk(t, nil)
		require.NoError(t, err)
		require.Equal(t, []string{keyB}, tried)
	})

	t.Run("rate limit makes the key temporary", func(t *testing.T) {
		t.Parallel()
		tp := setup(t, keyA, keyB)
		_, err := tp.walk(t, map[string]Verdict{keyA: unauthorized})
		require.NoError(t, err)

		tp.clock.Advance(DefaultProbeInterval)
		_, err = tp.walk(t, map[string]Verdict{keyA: rateLimited})
		require.NoError(t, err)
		require.Equal(t, StateTemporary, tp.state(t, 0).State)
	})

	t.Run("answer not about the key releases the probe", func(t *testing.T) {
		t.Parallel()
		tp := setup(t, keyA, keyB)
		_, err := tp.walk(t, map[string]Verdict{keyA: unauthorized})
		require.NoError(t, err)

		tp.clock.Advance(DefaultProbeInterval)
		tried, err := tp.walk(t, map[string]Verdict{keyA: {}})
		require.NoError(t, err)
		require.Equal(t, []string{keyA}, tried)
		require.Equal(t, StatePermanent, tp.state(t, 0).State)
		require.False(t, tp.state(t, 0).Probing)

		tried, err = tp.walk(t, nil)
		require.NoError(t, err)
		require.Equal(t, []string{keyA}, tried)
		require.Equal(t, StateValid, tp.state(t, 0).State)
	})

	t.Run("one prober at a time", func(t *testing.T) {
		t.Parallel()
		tp := setup(t, keyA, keyB)
		_, err := tp.walk(t, map[string]Verdict{keyA: unauthorized})
		require.NoError(t, err)
		tp.clock.Advance(DefaultProbeInterval)

		// Every walker takes its first key and holds it, unreported.
		const walkers = 100
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			probes []*Walker
		)
		start := make(chan struct{})
		for range walkers {
			wg.Go(func() {
				<-start
				w := tp.pool.Walk()
				k, err := w.Next()
				if err != nil || k.Value() != keyA {
					return
				}
				mu.Lock()
				probes = append(probes, w)
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
		require.Len(t, probes, 1)
		require.True(t, tp.state(t, 0).Probing)

		// A prober that never reports loses its claim after an interval.
		tp.clock.Advance(DefaultProbeInterval)
		second := tp.pool.Walk()
		k, err := second.Next()
		require.NoError(t, err)
		require.Equal(t, keyA, k.Value())

		// The first prober's late release leaves the second's claim alone.
		probes[0].Report(Key{e: probes[0].current}, Verdict{})
		require.True(t, tp.state(t, 0).Probing)

		second.Report(k, Verdict{Success: true})
		require.Equal(t, StateValid, tp.state(t, 0).State)
	})
}

func TestUnreportedKeyCountsAsFailover(t *testing.T) {
	t.Parallel()
	tp := setup(t, keyA, keyB)

	w := tp.pool.Walk()
	k, err := w.Next()
	require.NoError(t, err)
	require.Equal(t, keyA, k.Value())

	k, err = w.Next()
	require.NoError(t, err)
	require.Equal(t, keyB, k.Value())
	require.Equal(t, StateValid, tp.state(t, 0).State)
}
