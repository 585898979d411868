package recorder_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/recorder"
	"github.com/aigateway/aigateway/store"
)

// closeTimeout bounds a Close that is expected to succeed.
const closeTimeout = 30 * time.Second

// fixture bundles what a recorder test works with.
type fixture struct {
	st   *store.Store
	user uuid.UUID
	reg  *prometheus.Registry
	logs *logSink
}

// setup opens a store on a new database holding one user.
func setup(t testing.TB) *fixture {
	t.Helper()
	return setupStore(t, dbtest.NewStore(t))
}

func setupStore(t testing.TB, st *store.Store) *fixture {
	t.Helper()

	user, err := st.Queries.InsertUser(t.Context(), db.InsertUserParams{
		Username: "ann", Role: db.UserRoleMember,
	})
	require.NoError(t, err)
	return &fixture{st: st, user: user.ID, reg: prometheus.NewRegistry(), logs: newLogSink()}
}

// recorder returns a recorder on the fixture's store, logging to its sink
// and counting in its registry, and closes it when the test ends.
func (f *fixture) recorder(t testing.TB, opts recorder.Options) *recorder.Recorder {
	t.Helper()

	opts.Logger = slog.New(f.logs)
	opts.Metrics = recorder.NewMetrics(f.reg)
	r := recorder.New(f.st, opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		_ = r.Close(ctx)
	})
	return r
}

// interception returns a completed interception of the fixture's user
// with one record of each kind; i makes it distinct.
func (f *fixture) interception(i int) *recorder.Interception {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
	return &recorder.Interception{
		ID:             uuid.New(),
		InitiatorID:    f.user,
		ProviderName:   "anthropic",
		ProviderType:   "anthropic",
		Model:          "claude-sonnet-4-5",
		Client:         "claude-code",
		CredentialKind: recorder.CredentialCentralized,
		CredentialHint: "sk-a...xyz",
		StartedAt:      start,
		EndedAt:        start.Add(1500 * time.Millisecond),
		Status:         recorder.StatusCompleted,
		UpstreamStatus: 200,
		TokenUsages: []recorder.TokenUsage{{
			Input: 12, Output: 340, CacheRead: 1024, CacheWrite: 56,
			Raw: []byte(`{"input_tokens":12,"output_tokens":340,` +
				`"cache_read_input_tokens":1024,"cache_creation_input_tokens":56}`),
		}},
		Prompts: []string{fmt.Sprintf("prompt %d: refactor the parser", i)},
		ToolUsages: []recorder.ToolUsage{{
			Tool: "read_file", ToolCallID: fmt.Sprintf("toolu_%d", i),
			Input: `{"path":"parser.go"}`,
		}},
		Thoughts: []string{"The parser needs a lookahead."},
	}
}

// count returns the number of rows in table.
func (f *fixture) count(t testing.TB, table string) int {
	t.Helper()

	var n int
	err := f.st.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n)
	require.NoError(t, err)
	return n
}

// metric returns the value of the counter or gauge name whose labels
// include the given name-value pairs, or 0 when it has none.
func (f *fixture) metric(t testing.TB, name string, labels ...string) float64 {
	t.Helper()

	families, err := f.reg.Gather()
	require.NoError(t, err)
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				if !hasLabel(m.GetLabel(), labels[i], labels[i+1]) {
					continue next
				}
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

func hasLabel(ls []*dto.LabelPair, name, value string) bool {
	for _, l := range ls {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

// logSink is a slog handler that keeps the messages logged at warn and
// above, and signals each one on a channel.
type logSink struct {
	ch chan string
}

func newLogSink() *logSink {
	return &logSink{ch: make(chan string, 1000)}
}

func (s *logSink) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (s *logSink) Handle(_ context.Context, r slog.Record) error {
	select {
	case s.ch <- r.Message:
	default:
	}
	return nil
}

func (s *logSink) WithAttrs([]slog.Attr) slog.Handler { return s }

func (s *logSink) WithGroup(string) slog.Handler { return s }

// wait waits for a message logged as msg.
func (s *logSink) wait(t testing.TB, msg string) {
	t.Helper()

	timeout := time.After(closeTimeout)
	for {
		select {
		case got := <-s.ch:
			if got == msg {
				return
			}
		case <-timeout:
			t.Fatalf("no log line %q", msg)
		}
	}
}

// drain returns the messages logged so far.
func (s *logSink) drain() []string {
	var msgs []string
	for {
		select {
		case m := <-s.ch:
			msgs = append(msgs, m)
		default:
			return msgs
		}
	}
}

func closeWithin(t testing.TB, r *recorder.Recorder) {
	t.Helper()

	ctx, cancel := context.WithTimeout(t.Context(), closeTimeout)
	defer cancel()
	require.NoError(t, r.Close(ctx))
}
