package keyfailover

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestExhaustion(t *testing.T) {
	t.Parallel()

	t.Run("transient", func(t *testing.T) {
		t.Parallel()
		tp := setup(t, keyA, keyB, keyC)
		start := tp.clock.Now()

		_, err := tp.walk(t, map[string]Verdict{
			keyA: withWait(rateLimited, 30*time.Second),
			keyB: withWait(rateLimited, 1500*time.Millisecond),
			keyC: quota(0),
		})
		var transient *TransientExhaustionError
		require.ErrorAs(t, err, &transient)
		require.Equal(t, "openai", transient.Provider)
		require.Equal(t, start.Add(1500*time.Millisecond), transient.Until)
		require.Equal(t, 1500*time.Millisecond, transient.Wait)
		require.Equal(t, 2, transient.RetryAfterSeconds())
		require.NotContains(t, err.Error(), keyA)
		require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_exhaustions_total",
			map[string]string{"outcome": "transient"}))

		// A later walk tries nothing and reports the time left.
		tp.clock.Advance(time.Second)
		tried, err := tp.walk(t, nil)
		require.Empty(t, tried)
		require.ErrorAs(t, err, &transient)
		require.Equal(t, 500*time.Millisecond, transient.Wait)
		require.Equal(t, 1, transient.RetryAfterSeconds())
	})

	t.Run("permanent", func(t *testing.T) {
		t.Parallel()
		tp := setup(t, keyA, keyB)

		_, err := tp.walk(t, map[string]Verdict{
			keyA: unauthorized,
			keyB: {Failover: true, Reason: ReasonBilling},
		})
		var permanent *PermanentExhaustionError
		require.ErrorAs(t, err, &permanent)
		require.Equal(t, 2, permanent.Keys)
		require.False(t, errors.As(err, new(*TransientExhaustionError)))
		require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_exhaustions_total",
			map[string]string{"outcome": "permanent"}))
	})

	t.Run("some cooling and some permanent", func(t *testing.T) {
		t.Parallel()
		tp := setup(t, keyA, keyB, keyC)
		start := tp.clock.Now()

		_, err := tp.walk(t, map[string]Verdict{
			keyA: unauthorized,
			keyB: withWait(rateLimited, 20*time.Second),
			keyC: {Failover: true, Reason: ReasonDisabled},
		})
		var transient *TransientExhaustionError
		require.ErrorAs(t, err, &transient)
		require.Equal(t, start.Add(20*time.Second), transient.Until)
		require.Equal(t, 20, transient.RetryAfterSeconds())
	})

	t.Run("no keys", func(t *testing.T) {
		t.Parallel()
		tp := setup(t)

		w := tp.pool.Walk()
		_, err := w.Next()
		require.ErrorIs(t, err, ErrNoKeys)
		_, err = w.Next()
		require.ErrorIs(t, err, ErrWalkDone)
		require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_exhaustions_total",
			map[string]string{"outcome": "no_keys"}))
	})
}

func TestRetryAfterSeconds(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct {
		wait time.Duration
		want int
	}{
		{wait: -5 * time.Second, want: 1},
		{wait: 0, want: 1},
		{wait: time.Nanosecond, want: 1},
		{wait: time.Second, want: 1},
		{wait: time.Second + time.Millisecond, want: 2},
		{wait: time.Hour, want: 3600},
	} {
		e := &TransientExhaustionError{Wait: tt.wait}
		require.Equal(t, tt.want, e.RetryAfterSeconds(), tt.wait)
	}
}
