package recorder_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/recorder"
	"github.com/aigateway/aigateway/store"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()

	f := setup(t)
	start := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	end := start.Add(2*time.Second + 345678*time.Microsecond)
	full := &recorder.Interception{
		ID:             uuid.New(),
		InitiatorID:    f.user,
		ProviderName:   "openai-corp",
		ProviderType:   "openai",
		Model:          "gpt-5",
		Client:         "codex",
		SessionID:      "session-42",
		CredentialKind: recorder.CredentialBYOK,
		CredentialHint: "sk-p...9f2c",
		StartedAt:      start,
		EndedAt:        end,
		Status:         recorder.StatusFailed,
		ErrorType:      recorder.ErrorTypeRateLimited,
		ErrorMessage:   "Rate limit reached for gpt-5",
		UpstreamStatus: 429,
		TokenUsages: []recorder.TokenUsage{
			{
				Input: 100, Output: 20, CacheRead: 3000,
				Raw:       []byte(`{ "prompt_tokens": 3100,  "completion_tokens": 20 }`),
				CreatedAt: start.Add(time.Second),
			},
			{Input: 7, Output: 8, CacheRead: 9, CacheWrite: 10},
		},
		Prompts: []string{"first", "second, with ünïcödé"},
		ToolUsages: []recorder.ToolUsage{
			{Tool: "shell", ToolCallID: "call_b", Input: `{"cmd": "ls",  "dir":"."}`},
			{Tool: "apply_patch", ToolCallID: "call_a", Input: `{"patch":`},
			{Tool: "read", ToolCallID: "call_c", Input: "{}", CreatedAt: start},
		},
		Thoughts: []string{"think twice", "then once more"},
	}
	minimal := &recorder.Interception{
		ID:             uuid.New(),
		InitiatorID:    f.user,
		ProviderName:   "anthropic",
		ProviderType:   "anthropic",
		Model:          "claude-opus-4",
		Client:         "unknown",
		CredentialKind: recorder.CredentialCentralized,
		StartedAt:      start,
		Status:         recorder.StatusInProgress,
	}

	r := f.recorder(t, recorder.Options{})
	r.Start(t.Context())
	r.Record(full)
	r.Record(minimal)
	closeWithin(t, r)

	got, err := recorder.Get(t.Context(), f.st.Queries, full.ID)
	require.NoError(t, err)

	// Postgres keeps raw usage as jsonb, which reformats it.
	require.Len(t, got.TokenUsages, 2)
	require.JSONEq(t, string(full.TokenUsages[0].Raw), string(got.TokenUsages[0].Raw))
	require.Nil(t, got.TokenUsages[1].Raw)
	got.TokenUsages[0].Raw = full.TokenUsages[0].Raw

	// Records without a time of their own take the interception's end, and
	// those of one instant keep the order they were recorded in.
	want := *full
	want.TokenUsages = []recorder.TokenUsage{full.TokenUsages[0], full.TokenUsages[1]}
	want.TokenUsages[1].CreatedAt = end
	want.ToolUsages = []recorder.ToolUsage{
		full.ToolUsages[2], full.ToolUsages[0], full.ToolUsages[1],
	}
	want.ToolUsages[1].CreatedAt = end
	want.ToolUsages[2].CreatedAt = end
	require.Equal(t, &want, got)

	got, err = recorder.Get(t.Context(), f.st.Queries, minimal.ID)
	require.NoError(t, err)
	require.Equal(t, minimal, got)
}

func TestGetNotFound(t *testing.T) {
	t.Parallel()

	f := setup(t)
	_, err := recorder.Get(t.Context(), f.st.Queries, uuid.New())
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestManyRecordsLand(t *testing.T) {
	t.Parallel()

	const n = 5000
	f := setup(t)
	r := f.recorder(t, recorder.Options{})
	r.Start(t.Context())
	for i := range n {
		r.Record(f.interception(i))
	}
	closeWithin(t, r)

	require.Equal(t, n, f.count(t, "interceptions"))
	for _, table := range []string{
		"interception_token_usages", "interception_prompts",
		"interception_tool_usages", "interception_thoughts",
	} {
		require.Equal(t, n, f.count(t, table), table)
	}
	require.InDelta(t, n, f.metric(t, "aigateway_recorder_interceptions_written_total"), 0)
	require.Zero(t, f.metric(t, "aigateway_recorder_interceptions_dropped_total"))
	require.Zero(t, f.metric(t, "aigateway_recorder_queue_length"))
}

func TestQueueBoundDrops(t *testing.T) {
	t.Parallel()

	f := setup(t)
	r := f.recorder(t, recorder.Options{QueueSize: 3})
	for i := range 5 {
		r.Record(f.interception(i))
	}

	const dropped = "aigateway_recorder_interceptions_dropped_total"
	require.InDelta(t, 2, f.metric(t, dropped, "reason", "queue_full"), 0)
	require.InDelta(t, 3, f.metric(t, "aigateway_recorder_queue_length"), 0)

	// The second drop fell within the first one's log period.
	require.Equal(t, []string{"interception queue full"}, f.logs.drain())

	// Close writes what the queue held, and the intake is shut.
	closeWithin(t, r)
	require.Equal(t, 3, f.count(t, "interceptions"))
	r.Record(f.interception(5))
	require.InDelta(t, 1, f.metric(t, dropped, "reason", "closed"), 0)
	require.Equal(t, 3, f.count(t, "interceptions"))
}

// TestShutdownFlushesQueue is not parallel: it runs before the parallel
// tests start, so any goroutine it leaves behind is its own.
func TestShutdownFlushesQueue(t *testing.T) {
	// The first test to reach Postgres opens dbtest's own pool, which stays.
	dbtest.AdminURL(t)
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })

	f := setup(t)
	r := f.recorder(t, recorder.Options{FlushInterval: time.Hour, BatchSize: 1000})
	// Not the test's context, which would stop the writer before the check.
	r.Start(context.Background())
	for i := range 50 {
		r.Record(f.interception(i))
	}
	closeWithin(t, r)
	require.Equal(t, 50, f.count(t, "interceptions"))
}

func TestRejected(t *testing.T) {
	t.Parallel()

	f := setup(t)
	r := f.recorder(t, recorder.Options{})

	invalid := f.interception(0)
	invalid.Status = "done"
	strangerID := f.interception(1)
	strangerID.InitiatorID = uuid.New()
	repeated := f.interception(2)
	repeated.ID = strangerID.ID
	badJSON := f.interception(3)
	badJSON.TokenUsages[0].Raw = []byte(`{"input_tokens":`)
	nul := f.interception(4)
	nul.Prompts = []string{"a\x00b\xffc"}
	nulJSON := f.interception(5)
	nulJSON.TokenUsages[0].Raw = []byte(`{"note":"\u0000"}`)

	good := []*recorder.Interception{f.interception(6), badJSON, nul, f.interception(7)}
	for _, ic := range []*recorder.Interception{
		good[0], invalid, strangerID, badJSON, repeated, nul, nulJSON, good[3],
	} {
		r.Record(ic)
	}
	closeWithin(t, r)

	// The invalid status and the repeated id are caught before Postgres; an
	// unknown initiator and a NUL escape in jsonb are refused by it.
	require.Equal(t, len(good), f.count(t, "interceptions"))
	require.InDelta(t, 4, f.metric(t, "aigateway_recorder_interceptions_dropped_total",
		"reason", "rejected"), 0)
	for _, ic := range good {
		_, err := recorder.Get(t.Context(), f.st.Queries, ic.ID)
		require.NoError(t, err)
	}

	got, err := recorder.Get(t.Context(), f.st.Queries, badJSON.ID)
	require.NoError(t, err)
	require.Nil(t, got.TokenUsages[0].Raw)
	got, err = recorder.Get(t.Context(), f.st.Queries, nul.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"a\uFFFDb\uFFFDc"}, got.Prompts)

	msgs := f.logs.drain()
	require.Contains(t, msgs, "interception rejected")
	require.NotContains(t, strings.Join(msgs, "\n"), "write interceptions")
}
