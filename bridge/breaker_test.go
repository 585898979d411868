package bridge_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/breaker"
	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/intercept/fixture"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/recorder"
)

// overloadedBody is Anthropic's answer with a 529.
const overloadedBody = `{"type":"error",` +
	`"error":{"type":"overloaded_error","message":"Overloaded"}}`

// breakers is a gateway with one key per provider, guarded by breakers that
// trip on the second overload answer in a row.
type breakers struct {
	*pools
	reg *prometheus.Registry
}

func setupBreakers(t *testing.T, timeout time.Duration, maxRequests uint32) *breakers {
	t.Helper()

	reg := prometheus.NewRegistry()
	set := breaker.NewWithOptions(breaker.Options{
		FailureThreshold: 2,
		Timeout:          timeout,
		MaxRequests:      maxRequests,
		Metrics:          breaker.NewMetrics(reg),
	})
	p := setupKeys(t, []string{keyA}, func(o *bridge.Options) { o.Breakers = set })
	return &breakers{pools: p, reg: reg}
}

// state returns the state of the one breaker there is.
func (b *breakers) state(t *testing.T) string {
	t.Helper()

	states := b.handler().BreakerStates()
	require.Len(t, states, 1)
	return states[0].State
}

// status sends a fixture's request, with header pairs, and returns the
// status it got, or 0 when the request failed; it may run on any goroutine.
func (b *breakers) status(ac apiCase, f fixture.Fixture, hdr ...string) int {
	status, _, _, _ := call(b.gateway, ac, f, hdr...)
	return status
}

// metric sums the samples of a counter or gauge in reg whose labels include
// the name and value pairs given.
func metric(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()

	families, err := reg.Gather()
	require.NoError(t, err)
	sum := 0.0
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			match := true
			for i := 0; i+1 < len(labels); i += 2 {
				match = match && have[labels[i]] == labels[i+1]
			}
			if match {
				sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
	}
	return sum
}

// TestBreakerOpens trips the breaker on overload answers, 529 from Anthropic
// and 503 from OpenAI, and then answers 503 without calling the upstream.
func TestBreakerOpens(t *testing.T) {
	t.Parallel()

	cases := []struct {
		api    string
		status int
		body   string
	}{
		{"Messages", breaker.StatusOverloaded, overloadedBody},
		{"ChatCompletions", http.StatusServiceUnavailable, `{"error":{"message":"busy",` +
			`"type":"server_error","code":"service_unavailable"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.api, func(t *testing.T) {
			t.Parallel()

			b := setupBreakers(t, time.Hour, 1)
			ac := apiNamed(tc.api)
			f := fixtureNamed(t, ac, "blocking_text")
			b.up.set(keyA, answer(tc.status, tc.body))

			// The overload answers themselves reach the client.
			for range 2 {
				status, got, _, err := call(b.gateway, ac, f)
				require.NoError(t, err)
				require.Equal(t, tc.status, status)
				require.Equal(t, tc.body, string(got))
			}
			require.Len(t, b.up.take(), 2)
			require.Equal(t, "open", b.state(t))
			require.Equal(t, 1.0, metric(t, b.reg, "aigateway_breaker_trips_total"))

			resp, got := b.send(ac, f)
			require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			require.Empty(t, b.up.take(), "the upstream is spared")
			after, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			require.NoError(t, err)
			require.InDelta(t, 3600, after, 1)
			requireShape(t, ac.provider, got, "overloaded_error", "server_error",
				"service_unavailable")
			ic := b.interception(resp)
			require.Equal(t, recorder.StatusFailed, ic.Status)
			require.Equal(t, recorder.ErrorTypeOverloaded, ic.ErrorType)
			require.Equal(t, keyfailover.StateValid, b.states(ac.provider)[0].State)

			// Another model has a breaker of its own.
			other := f
			other.Request = []byte(strings.Replace(string(f.Request),
				`"model":"`+f.Want.Request.Model+`"`, `"model":"other-model"`, 1))
			require.Equal(t, tc.status, b.status(ac, other))
			require.Len(t, b.up.take(), 1)
		})
	}
}

// TestBreakerProbesAndCloses lets probes through once the breaker's timeout
// has passed: a failed probe opens it again, enough good ones close it.
func TestBreakerProbesAndCloses(t *testing.T) {
	t.Parallel()

	b := setupBreakers(t, 10*time.Millisecond, 2)
	messages := apiNamed("Messages")
	f := fixtureNamed(t, messages, "blocking_text")
	b.up.set(keyA, answer(breaker.StatusOverloaded, overloadedBody))

	for range 2 {
		require.Equal(t, breaker.StatusOverloaded, b.status(messages, f))
	}
	trips := func() float64 { return metric(t, b.reg, "aigateway_breaker_trips_total") }
	require.Equal(t, 1.0, trips())

	// Until the timeout the gateway answers 503 itself; then the probe
	// reaches the upstream, which is still overloaded.
	require.Eventually(t, func() bool {
		return b.status(messages, f) == breaker.StatusOverloaded
	}, 10*time.Second, time.Millisecond)
	require.Equal(t, 2.0, trips(), "a failed probe opens the breaker again")

	b.up.set(keyA, ok(f))
	require.Eventually(t, func() bool {
		return b.status(messages, f) == http.StatusOK
	}, 10*time.Second, time.Millisecond)
	require.Equal(t, "half-open", b.state(t), "one of two probes succeeded")

	require.Equal(t, http.StatusOK, b.status(messages, f))
	require.Equal(t, "closed", b.state(t))
	require.Equal(t, 2.0, trips())
}

// TestBreakerIgnores429And4xx neither counts rate limits and client errors
// as failures nor lets them break a run of failures.
func TestBreakerIgnores429And4xx(t *testing.T) {
	t.Parallel()

	const own = "sk-client-own-key-00000000000000000zzzz"
	b := setupBreakers(t, time.Hour, 1)
	messages := apiNamed("Messages")
	f := fixtureNamed(t, messages, "blocking_text")
	overloaded := answer(breaker.StatusOverloaded, overloadedBody)
	byok := []string{"Authorization", "", "X-Api-Key", own, bridge.HeaderGovernanceToken, b.token}

	// Each answer comes three times, more than the threshold of two.
	steps := []struct {
		name   string
		key    string
		status int
		want   int // what the client gets
	}{
		{"BYOK 429", own, http.StatusTooManyRequests, http.StatusTooManyRequests},
		{"400", keyA, http.StatusBadRequest, http.StatusBadRequest},
		{"403", keyA, http.StatusForbidden, http.StatusForbidden},
		{"404", keyA, http.StatusNotFound, http.StatusNotFound},
		{"413", keyA, http.StatusRequestEntityTooLarge, http.StatusRequestEntityTooLarge},
		{"422", keyA, http.StatusUnprocessableEntity, http.StatusUnprocessableEntity},
		{"500", keyA, http.StatusInternalServerError, http.StatusInternalServerError},
		{"BYOK 401", own, http.StatusUnauthorized, http.StatusUnauthorized},
		{"429", keyA, http.StatusTooManyRequests, http.StatusTooManyRequests},
	}
	for _, s := range steps {
		b.up.set(s.key, answer(s.status, rateLimitBody))
		for i := range 3 {
			var hdr []string
			if s.key == own {
				hdr = byok
			}
			require.Equal(t, s.want, b.status(messages, f, hdr...), "%s, call %d", s.name, i)
		}
		require.Equal(t, "closed", b.state(t), s.name)
	}
	require.Zero(t, b.handler().BreakerStates()[0].ConsecutiveFailures)

	// A run of overload answers with other answers in between still trips.
	b.clk.advance(time.Hour)
	b.up.set(keyA, overloaded)
	b.up.set(own, answer(http.StatusTooManyRequests, rateLimitBody))
	require.Equal(t, breaker.StatusOverloaded, b.status(messages, f))
	require.Equal(t, http.StatusTooManyRequests, b.status(messages, f, byok...))
	require.Equal(t, uint32(1), b.handler().BreakerStates()[0].ConsecutiveFailures)
	require.Equal(t, breaker.StatusOverloaded, b.status(messages, f))
	require.Equal(t, "open", b.state(t))
}

// TestControlPlaneStates reads the key and breaker states the control plane
// serves: masked hints only, breakers sorted.
func TestControlPlaneStates(t *testing.T) {
	t.Parallel()

	p := setupKeys(t, []string{keyA, keyB})
	h := p.handler()
	require.Empty(t, h.KeyStates())
	require.Empty(t, h.BreakerStates())

	messages, chat := apiNamed("Messages"), apiNamed("ChatCompletions")
	fm, fc := fixtureNamed(t, messages, "blocking_text"), fixtureNamed(t, chat, "blocking_text")
	p.up.set(keyA, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/messages" {
			answer(http.StatusUnauthorized, authBody)(w, r)
			return
		}
		ok(fc)(w, r)
	})
	p.up.set(keyB, ok(fm))
	_, _, _, err := call(p.gateway, messages, fm)
	require.NoError(t, err)
	_, _, _, err = call(p.gateway, chat, fc)
	require.NoError(t, err)

	keys := h.KeyStates()
	require.Equal(t, map[string][]keyfailover.KeyState{
		"anthropic": {{
			Hint: keyfailover.Mask(keyA), State: keyfailover.StatePermanent,
			Reason: keyfailover.ReasonAuthentication, Since: epoch,
			Until: epoch.Add(keyfailover.DefaultProbeInterval),
		}, valid(keyB)},
		"openai": {valid(keyA), valid(keyB)},
	}, keys)
	dump := fmt.Sprintf("%+v", keys)
	require.NotContains(t, dump, keyA)
	require.NotContains(t, dump, keyB)
	require.Equal(t, 1.0, metric(t, p.registry, "aigateway_keyfailover_keys",
		"provider", "anthropic", "state", "permanent"))

	mm, mc := fm.Want.Request.Model, fc.Want.Request.Model
	require.Equal(t, []breaker.Status{
		{Provider: "anthropic", Endpoint: "messages", Model: mm, State: "closed"},
		{Provider: "openai", Endpoint: "chat_completions", Model: mc, State: "closed"},
	}, h.BreakerStates())
}
