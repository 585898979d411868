package keyfailover

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	keyA = "sk-aaaa-0000000000000000-aaaa"
	keyB = "sk-bbbb-1111111111111111-bbbb"
	keyC = "sk-cccc-2222222222222222-cccc"
	keyD = "sk-dddd-3333333333333333-dddd"
)

func TestUpdate(t *testing.T) {
	t.Parallel()
	tp := setup(t, keyA, keyB, keyC)

	_, err := tp.walk(t, map[string]Verdict{keyA: rateLimited, keyB: unauthorized})
	require.NoError(t, err)
	before := tp.pool.States()

	require.NoError(t, tp.pool.Update([]string{keyC, keyB, keyD}))
	after := tp.pool.States()
	require.Len(t, after, 3)
	require.Equal(t, before[2], after[0])
	require.Equal(t, before[1], after[1])
	require.Equal(t, StateValid, after[2].State)
	require.Equal(t, Mask(keyD), after[2].Hint)
	require.Equal(t, 1.0, tp.metric(t, "aigateway_keyfailover_keys",
		map[string]string{"state": "permanent"}))
	require.Equal(t, 0.0, tp.metric(t, "aigateway_keyfailover_keys",
		map[string]string{"state": "temporary"}))

	tried, err := tp.walk(t, nil)
	require.NoError(t, err)
	require.Equal(t, []string{keyC}, tried)
}

func TestRejectedKeys(t *testing.T) {
	t.Parallel()

	for name, keys := range map[string][]string{
		"too many":  {"k1", "k2", "k3", "k4", "k5", "k6"},
		"empty":     {"k1", ""},
		"duplicate": {keyA, keyB, keyA},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			_, err := New("openai", keys)
			require.Error(t, err)
			require.NotContains(t, err.Error(), keyA)

			tp := setup(t, keyC)
			require.Error(t, tp.pool.Update(keys))
			require.Equal(t, Mask(keyC), tp.state(t, 0).Hint)
		})
	}
}

func TestMask(t *testing.T) {
	t.Parallel()

	require.Equal(t, "sk-p...wxyz", Mask("sk-proj-abcdefghijklmnopqrstuvwxyz"))
	require.Equal(t, "0123...6789", Mask("01234567890123456789"))
	require.Equal(t, "********", Mask("0123456789012345678"))
	require.Equal(t, "********", Mask("short"))
	require.Equal(t, "********", Mask(""))

	tp := setup(t, keyA, "tiny-key")
	states := tp.pool.States()
	require.Equal(t, "sk-a...aaaa", states[0].Hint)
	require.Equal(t, "********", states[1].Hint)
}

func TestNilMetrics(t *testing.T) {
	t.Parallel()

	clock := newFakeClock()
	pool, err := NewWithOptions("openai", []string{keyA}, Options{Now: clock.Now})
	require.NoError(t, err)
	tp := testPool{pool: pool, clock: clock}

	_, err = tp.walk(t, map[string]Verdict{keyA: rateLimited})
	require.ErrorAs(t, err, new(*TransientExhaustionError))
	clock.Advance(time.Hour)
	_, err = tp.walk(t, nil)
	require.NoError(t, err)
	require.NoError(t, pool.Update(nil))
	_, err = tp.walk(t, nil)
	require.ErrorIs(t, err, ErrNoKeys)
}
