package bridge_test

import (
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/recorder"
)

// TestMetrics checks the data plane's metrics after a few interceptions:
// counted by provider, model, status and client, their tokens by type, and
// their durations.
func TestMetrics(t *testing.T) {
	t.Parallel()

	g := setup(t)
	for _, tc := range []struct {
		api, fixture, userAgent string
		status                  recorder.Status
	}{
		{"Messages", "stream_text", "claude-cli/2.0.14 (external, cli)", recorder.StatusCompleted},
		{"Messages", "blocking_thinking", "claude-cli/2.0.14 (external, cli)", recorder.StatusCompleted},
		{"Messages", "stream_error", "claude-cli/2.0.14 (external, cli)", recorder.StatusFailed},
		{"ChatCompletions", "blocking_text", "codex_cli_rs/0.50.0", recorder.StatusCompleted},
		{"Responses", "stream_text", "Go-http-client/1.1", recorder.StatusCompleted},
	} {
		ac := apiNamed(tc.api)
		f := fixtureNamed(t, ac, tc.fixture)
		g.answerWith(f)
		resp := g.post(ac.provider, ac.path, string(f.Request), "User-Agent", tc.userAgent)
		defer resp.Body.Close()
		readAll(t, resp)
		require.Equal(t, tc.status, g.interception(resp).Status, tc.fixture)
	}

	const sonnet = "claude-sonnet-4-5-20250929"
	interceptions := []struct {
		provider, model, status, client string
		want                            float64
	}{
		{"anthropic", sonnet, "completed", "claude-code", 2},
		{"anthropic", sonnet, "failed", "claude-code", 1},
		{"openai", "gpt-4.1", "completed", "codex", 1},
		{"openai", "gpt-4.1", "completed", "unknown", 1},
	}
	for _, c := range interceptions {
		require.Equal(t, c.want, g.counter("aigateway_interceptions_total",
			"provider", c.provider, "model", c.model, "status", c.status, "client", c.client), c)
	}
	n, err := testutil.GatherAndCount(g.registry, "aigateway_interceptions_total")
	require.NoError(t, err)
	require.Equal(t, len(interceptions), n)

	// The failed stream's usage counts too.
	tokens := []struct {
		provider, model, typ string
		want                 float64
	}{
		{"anthropic", sonnet, "input", 38 + 21 + 15},
		{"anthropic", sonnet, "output", 9 + 154 + 1},
		{"anthropic", sonnet, "cache_read", 3072},
		{"anthropic", sonnet, "cache_write", 1100},
		{"openai", "gpt-4.1", "input", 98 + 27},
		{"openai", "gpt-4.1", "output", 12 + 8},
		{"openai", "gpt-4.1", "cache_read", 1152},
	}
	for _, c := range tokens {
		require.Equal(t, c.want, g.counter("aigateway_tokens_total",
			"provider", c.provider, "model", c.model, "type", c.typ), c)
	}
	n, err = testutil.GatherAndCount(g.registry, "aigateway_tokens_total")
	require.NoError(t, err)
	require.Equal(t, len(tokens), n, "no series for zero counts")

	for _, name := range []string{
		"aigateway_interception_duration_seconds", "aigateway_interception_first_byte_seconds",
	} {
		require.Equal(t, map[string]uint64{"anthropic": 3, "openai": 2}, g.histogramCounts(name), name)
	}
	require.Eventually(t, func() bool {
		return g.gauge("aigateway_interceptions_in_flight") == 0
	}, 10*time.Second, 5*time.Millisecond)
}

// TestMetricsInFlight checks that a request being served counts as in
// flight, and stops counting when it ends.
func TestMetricsInFlight(t *testing.T) {
	t.Parallel()

	g := setup(t)
	head, request := streamHead(t)
	f := fixtureNamed(t, apiNamed("Messages"), "stream_text")
	release := make(chan struct{})
	g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
		serve(http.StatusOK, "text/event-stream", []byte(head), 0)(w, r)
		select {
		case <-release:
			_, _ = w.Write(f.Response[len(head):])
		case <-r.Context().Done():
		}
	})
	require.Zero(t, g.gauge("aigateway_interceptions_in_flight"))

	resp := g.post("anthropic", "/v1/messages", string(request))
	require.Equal(t, head, string(readWithin(t, resp.Body, len(head))))
	require.Equal(t, 1.0, g.gauge("aigateway_interceptions_in_flight"))

	close(release)
	require.Equal(t, string(f.Response[len(head):]), string(readAll(t, resp)))
	require.Equal(t, recorder.StatusCompleted, g.interception(resp).Status)
	require.Eventually(t, func() bool {
		return g.gauge("aigateway_interceptions_in_flight") == 0
	}, 10*time.Second, 5*time.Millisecond)
}

// gauge reads the value of an unlabelled gauge.
func (g *gateway) gauge(name string) float64 {
	g.t.Helper()

	families, err := g.registry.Gather()
	require.NoError(g.t, err)
	for _, mf := range families {
		if mf.GetName() == name {
			require.Len(g.t, mf.GetMetric(), 1)
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	g.t.Fatalf("no metric %s", name)
	return 0
}

// counter reads the value of a counter with the label values given as
// name, value pairs.
func (g *gateway) counter(name string, labels ...string) float64 {
	g.t.Helper()

	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	families, err := g.registry.Gather()
	require.NoError(g.t, err)
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			if maps.Equal(got, want) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// histogramCounts reads how many observations a histogram labelled by
// provider holds, per provider.
func (g *gateway) histogramCounts(name string) map[string]uint64 {
	g.t.Helper()

	families, err := g.registry.Gather()
	require.NoError(g.t, err)
	out := map[string]uint64{}
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "provider" {
					out[l.GetValue()] = m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return out
}
