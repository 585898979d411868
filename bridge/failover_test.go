package bridge_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/recorder"
)

// TestFailoverTable runs each row of the table of upstream answers through
// the gateway: the first key answers with the row, the second succeeds.
func TestFailoverTable(t *testing.T) {
	t.Parallel()

	const (
		perm, temp = keyfailover.StatePermanent, keyfailover.StateTemporary
		probe      = keyfailover.DefaultProbeInterval
		limited    = keyfailover.ReasonRateLimit
		disabled   = keyfailover.ReasonDisabled
	)
	openaiError := func(code string) string {
		return `{"error":{"message":"no","type":"invalid_request_error","code":"` + code + `"}}`
	}
	anthropicError := func(typ string) string {
		return `{"type":"error","error":{"type":"` + typ + `","message":"no"}}`
	}
	wait := []string{"Retry-After", "30"}
	cases := []struct {
		name   string
		status int // 0: the connection drops
		body   string
		hdr    []string
		state  keyfailover.State // StateValid: no mark, no failover
		reason keyfailover.Reason
		rest   time.Duration
	}{
		{"429", 429, rateLimitBody, nil, temp, limited, time.Minute},
		{"429 Retry-After", 429, rateLimitBody, wait, temp, limited, 30 * time.Second},
		{"429 insufficient_quota", 429, quotaBody, nil, temp, keyfailover.ReasonQuota, time.Hour},
		{"401", 401, authBody, nil, perm, keyfailover.ReasonAuthentication, probe},
		{"402", 402, anthropicError("billing_error"), nil, perm, keyfailover.ReasonBilling, probe},
		{"403 deactivated", 403, openaiError("account_deactivated"), nil, perm, disabled, probe},
		{"403 invalid_api_key", 403, openaiError("invalid_api_key"), nil, perm, disabled, probe},
		{"403 no_organization", 403, openaiError("no_organization"), nil, perm, disabled, probe},
		{"403 permission_error", 403, anthropicError("permission_error"), nil, 0, "", 0},
		{"403 region", 403, openaiError("unsupported_country_region_territory"), nil, 0, "", 0},
		{"400", 400, anthropicError("invalid_request_error"), nil, 0, "", 0},
		{"404", 404, anthropicError("not_found_error"), nil, 0, "", 0},
		{"413", 413, anthropicError("request_too_large"), nil, 0, "", 0},
		{"422", 422, openaiError("unprocessable"), nil, 0, "", 0},
		{"500", 500, anthropicError("api_error"), nil, 0, "", 0},
		{"502", 502, "<html>bad gateway</html>", nil, 0, "", 0},
		{"503", 503, anthropicError("overloaded_error"), nil, 0, "", 0},
		{"529", 529, anthropicError("overloaded_error"), nil, 0, "", 0},
		{"network error", 0, "", nil, 0, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			p := setupKeys(t, []string{keyA, keyB})
			p.up.set(keyA, answer(tc.status, tc.body, tc.hdr...))
			if tc.status == 0 {
				p.up.set(keyA, hangUp)
			}
			p.up.set(keyB, ok(p.msgs))

			resp, got := p.messages()
			ic := p.interception(resp)
			if tc.state == keyfailover.StateValid {
				requireRelayed(t, p, tc.status, tc.body, resp, got, ic)
				return
			}
			require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", got)
			require.Equal(t, string(p.msgs.Response), string(got))
			require.Equal(t, []string{keyA, keyB}, p.up.take())
			for _, r := range p.upstream.seen() {
				require.Equal(t, string(p.msgs.Request), string(r.Body), "body replayed")
			}
			require.Equal(t, []keyfailover.KeyState{{
				Hint: keyfailover.Mask(keyA), State: tc.state, Reason: tc.reason,
				Since: epoch, Until: epoch.Add(tc.rest),
			}, valid(keyB)}, p.states("anthropic"))

			// The record names the key that answered.
			require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
			require.Equal(t, keyfailover.Mask(keyB), ic.CredentialHint)
			require.Equal(t, http.StatusOK, ic.UpstreamStatus)

			// The marked key is skipped next time.
			p.messages()
			require.Equal(t, []string{keyB}, p.up.take())
		})
	}
}

// requireRelayed checks an answer that ended the walk on the first key: the
// client got it unchanged, or a 502 for a dropped connection, and the key is
// still valid and tried first next time.
func requireRelayed(t *testing.T, p *pools, status int, body string, resp *http.Response,
	got []byte, ic *recorder.Interception,
) {
	t.Helper()

	// The transport may resend a request whose connection dropped.
	tried := p.up.take()
	require.NotEmpty(t, tried)
	require.NotContains(t, tried, keyB, "no failover")
	if status == 0 {
		require.Equal(t, http.StatusBadGateway, resp.StatusCode)
		requireShape(t, "anthropic", got, "api_error", "", "")
	} else {
		require.Equal(t, status, resp.StatusCode)
		require.Equal(t, body, string(got))
		require.Equal(t, keyfailover.Mask(keyA), ic.CredentialHint)
	}
	require.Equal(t, []keyfailover.KeyState{valid(keyA), valid(keyB)}, p.states("anthropic"))
	require.Equal(t, recorder.StatusFailed, ic.Status)
	require.Equal(t, status, ic.UpstreamStatus)

	p.messages()
	require.Equal(t, keyA, p.up.take()[0])
}

// TestNamedWait checks each form of the wait a 429 names as the gateway
// sees it: the next request skips the cooling key, and the 429 the client
// gets once no other key is left names the same wait.
func TestNamedWait(t *testing.T) {
	t.Parallel()

	date := func(d time.Duration) string { return epoch.Add(d).Format(http.TimeFormat) }
	cases := []struct {
		name  string
		hdr   []string
		body  string
		after string // the Retry-After of the exhaustion 429
	}{
		{"retry-after-ms", []string{"retry-after-ms", "2500"}, "", "3"},
		{"retry-after-ms of 1", []string{"retry-after-ms", "1"}, "", "1"},
		{"retry-after-ms first", []string{"retry-after-ms", "1500", "Retry-After", "90"}, "", "2"},
		{"seconds", []string{"Retry-After", "7"}, "", "7"},
		{"date", []string{"Retry-After", date(42 * time.Second)}, "", "42"},
		{"bad retry-after-ms", []string{"retry-after-ms", "x", "Retry-After", "5"}, "", "5"},
		{"zero", []string{"retry-after-ms", "0", "Retry-After", "0"}, "", "60"},
		{"negative", []string{"retry-after-ms", "-5", "Retry-After", "-5"}, "", "60"},
		{"garbage", []string{"Retry-After", "soon"}, "", "60"},
		{"past date", []string{"Retry-After", date(-time.Minute)}, "", "60"},
		{"capped", []string{"Retry-After", "7200"}, "", "3600"},
		{"quota", nil, quotaBody, "600"},
		{"quota shorter wait", []string{"Retry-After", "30"}, quotaBody, "600"},
		{"quota longer wait", []string{"Retry-After", "1200"}, quotaBody, "1200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			p := setupKeys(t, []string{keyA, keyB}, func(o *bridge.Options) {
				o.Keys.QuotaCooldown = 10 * time.Minute
			})
			p.up.set(keyA, answer(http.StatusTooManyRequests, tc.body, tc.hdr...))
			p.up.set(keyB, ok(p.msgs))
			resp, _ := p.messages()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, []string{keyA, keyB}, p.up.take())

			p.up.set(keyB, answer(http.StatusUnauthorized, authBody))
			resp, got := p.messages()
			require.Equal(t, []string{keyB}, p.up.take(), "the cooling key is skipped")
			require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "body: %s", got)
			require.Equal(t, tc.after, resp.Header.Get("Retry-After"))
		})
	}
}

// TestCooldownExpires returns a rate-limited key to the walk once its
// cooldown has passed on the pools' clock.
func TestCooldownExpires(t *testing.T) {
	t.Parallel()

	p := setupKeys(t, []string{keyA, keyB})
	p.up.set(keyA, answer(http.StatusTooManyRequests, rateLimitBody, "Retry-After", "30"))
	p.up.set(keyB, ok(p.msgs))
	p.messages()
	require.Equal(t, []string{keyA, keyB}, p.up.take())

	p.clk.advance(29 * time.Second)
	p.messages()
	require.Equal(t, []string{keyB}, p.up.take(), "still cooling")

	p.clk.advance(time.Second)
	p.up.set(keyA, ok(p.msgs))
	resp, _ := p.messages()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, []string{keyA}, p.up.take(), "cooled down")
	st := p.states("anthropic")[0]
	require.Equal(t, keyfailover.StateValid, st.State)
	require.Equal(t, epoch.Add(30*time.Second), st.Since)
	require.Equal(t, keyfailover.Mask(keyA), p.interception(resp).CredentialHint)
}

// TestProbeAfterPermanent lets one request try a rejected key again once the
// probe interval has passed: a failed probe keeps it out for another
// interval, a successful one makes it valid.
func TestProbeAfterPermanent(t *testing.T) {
	t.Parallel()

	const interval = keyfailover.DefaultProbeInterval
	p := setupKeys(t, []string{keyA, keyB})
	p.up.set(keyA, answer(http.StatusUnauthorized, authBody))
	p.up.set(keyB, ok(p.msgs))
	p.messages()
	require.Equal(t, []string{keyA, keyB}, p.up.take())
	p.clk.advance(interval - time.Second)
	p.messages()
	require.Equal(t, []string{keyB}, p.up.take(), "not due yet")

	// The probe fails: out for another interval from the probe.
	p.clk.advance(time.Second)
	resp, _ := p.messages()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, []string{keyA, keyB}, p.up.take(), "probe")
	st := p.states("anthropic")[0]
	require.Equal(t, keyfailover.StatePermanent, st.State)
	require.Equal(t, p.clk.Now().Add(interval), st.Until)
	p.messages()
	require.Equal(t, []string{keyB}, p.up.take())

	// The next probe succeeds.
	p.clk.advance(interval)
	p.up.set(keyA, ok(p.msgs))
	p.messages()
	require.Equal(t, []string{keyA}, p.up.take(), "probe")
	require.Equal(t, keyfailover.StateValid, p.states("anthropic")[0].State)
	p.messages()
	require.Equal(t, []string{keyA}, p.up.take(), "back in rotation")
}

// TestExhaustion checks both answers to a walk that found no key, in each
// provider's shape.
func TestExhaustion(t *testing.T) {
	t.Parallel()

	for _, api := range []string{"Messages", "ChatCompletions"} {
		ac := apiNamed(api)
		t.Run(api+"/cooling", func(t *testing.T) {
			t.Parallel()

			p := setupKeys(t, []string{keyA, keyB})
			p.up.set(keyA, answer(429, rateLimitBody, "retry-after-ms", "1200"))
			p.up.set(keyB, answer(429, rateLimitBody, "Retry-After", "5"))

			resp, got := p.send(ac, fixtureNamed(t, ac, "blocking_text"))
			require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
			require.Equal(t, "2", resp.Header.Get("Retry-After"), "soonest, rounded up")
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			requireShape(t, ac.provider, got, "rate_limit_error", "rate_limit_error",
				"rate_limit_exceeded")
			ic := p.interception(resp)
			require.Equal(t, recorder.StatusFailed, ic.Status)
			require.Equal(t, recorder.ErrorTypeRateLimited, ic.ErrorType)
		})
		t.Run(api+"/rejected", func(t *testing.T) {
			t.Parallel()

			p := setupKeys(t, []string{keyA, keyB})
			p.up.set(keyA, answer(http.StatusUnauthorized, authBody))
			p.up.set(keyB, answer(http.StatusForbidden,
				`{"error":{"message":"deactivated","code":"account_deactivated"}}`))

			resp, got := p.send(ac, fixtureNamed(t, ac, "blocking_text"))
			require.Equal(t, http.StatusBadGateway, resp.StatusCode, "never the upstream 401")
			require.Empty(t, resp.Header.Get("Retry-After"))
			e := requireShape(t, ac.provider, got, "api_error", "server_error",
				"upstream_keys_rejected")
			require.NotContains(t, e.Error.Message, "invalid x-api-key")
			require.Equal(t, []string{keyA, keyB}, p.up.take())
			require.Equal(t, recorder.StatusFailed, p.interception(resp).Status)

			// Until a probe is due, no upstream is called.
			resp, _ = p.send(ac, fixtureNamed(t, ac, "blocking_text"))
			require.Equal(t, http.StatusBadGateway, resp.StatusCode)
			require.Empty(t, p.up.take())
		})
	}
}

// TestMixedPool exhausts a pool with some keys cooling and some rejected:
// the client is told to come back when the first cooldown ends, and then
// the cooled key serves it.
func TestMixedPool(t *testing.T) {
	t.Parallel()

	p := setupKeys(t, []string{keyA, keyB, keyC})
	chat := apiNamed("ChatCompletions")
	f := fixtureNamed(t, chat, "blocking_text")
	p.up.set(keyA, answer(http.StatusUnauthorized, authBody))
	p.up.set(keyB, answer(http.StatusTooManyRequests, rateLimitBody, "Retry-After", "20"))
	p.up.set(keyC, answer(http.StatusPaymentRequired, `{"error":{"message":"pay"}}`))

	resp, _ := p.send(chat, f)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "20", resp.Header.Get("Retry-After"))
	require.Equal(t, []string{keyA, keyB, keyC}, p.up.take())
	var states []string
	for _, st := range p.states("openai") {
		states = append(states, st.State.String())
	}
	require.Equal(t, []string{"permanent", "temporary", "permanent"}, states)

	p.clk.advance(15 * time.Second)
	resp, _ = p.send(chat, f)
	require.Equal(t, "5", resp.Header.Get("Retry-After"))
	require.Empty(t, p.up.take(), "no key was tried")

	p.clk.advance(5 * time.Second)
	p.up.set(keyB, ok(f))
	resp, got := p.send(chat, f)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, string(f.Response), string(got))
	require.Equal(t, []string{keyB}, p.up.take())
}

// TestStreamFailover fails over before the first byte of a stream, where
// the client sees only the good key's stream, and never after it, where an
// error reaches the client as an event and the record says failed.
func TestStreamFailover(t *testing.T) {
	t.Parallel()

	for _, ac := range apiCases {
		t.Run(ac.name, func(t *testing.T) {
			t.Parallel()

			p := setupKeys(t, []string{keyA, keyB})
			f := fixtureNamed(t, ac, "stream_text")
			p.up.set(keyA, answer(http.StatusTooManyRequests, rateLimitBody))
			p.up.set(keyB, ok(f))

			resp, got := p.send(ac, f)
			require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
			require.Equal(t, string(f.Client), string(got))
			require.Equal(t, []string{keyA, keyB}, p.up.take())
			ic := p.interception(resp)
			require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
			require.Equal(t, keyfailover.Mask(keyB), ic.CredentialHint)
		})
	}
	t.Run("ErrorEvent", func(t *testing.T) {
		t.Parallel()

		p := setupKeys(t, []string{keyA, keyB})
		messages := apiNamed("Messages")
		f := fixtureNamed(t, messages, "stream_error")
		p.up.set(keyA, answer(http.StatusTooManyRequests, rateLimitBody))
		p.up.set(keyB, ok(f))

		resp, got := p.send(messages, f)
		require.True(t, strings.HasPrefix(string(got), string(f.Client)), "got:\n%s", got)
		require.Equal(t, []string{keyA, keyB}, p.up.take())
		ic := p.interception(resp)
		require.Equal(t, recorder.StatusFailed, ic.Status)
		require.Equal(t, recorder.ErrorTypeOverloaded, ic.ErrorType)
		require.Equal(t, keyfailover.Mask(keyB), ic.CredentialHint)
		require.Equal(t, keyfailover.StateValid, p.states("anthropic")[1].State)
	})
	t.Run("CutShort", func(t *testing.T) {
		t.Parallel()

		p := setupKeys(t, []string{keyA, keyB})
		chat := apiNamed("ChatCompletions")
		f := fixtureNamed(t, chat, "stream_cut_short")
		p.up.set(keyA, ok(f))
		p.up.set(keyB, ok(fixtureNamed(t, chat, "stream_text")))

		resp, got := p.send(chat, f)
		sent := string(completeEvents(f.Client))
		require.True(t, strings.HasPrefix(string(got), sent), "got:\n%s", got)
		require.Contains(t, string(got[len(sent):]), "ended before its final event")
		require.Equal(t, []string{keyA}, p.up.take(), "no failover after the first byte")
		require.Equal(t, recorder.StatusFailed, p.interception(resp).Status)
		require.Equal(t, []keyfailover.KeyState{valid(keyA), valid(keyB)}, p.states("openai"))
	})
}

// TestBYOK makes exactly one attempt with the client's key, relays the
// upstream's answer unchanged and leaves the pool alone.
func TestBYOK(t *testing.T) {
	t.Parallel()

	const own = "sk-client-own-key-00000000000000000zzzz"
	p := setupKeys(t, []string{keyA, keyB})
	chat := apiNamed("ChatCompletions")
	f := fixtureNamed(t, chat, "blocking_text")
	byok := []string{"Authorization", "Bearer " + own, bridge.HeaderGovernanceToken, p.token}
	p.up.set(keyA, ok(f))
	p.send(chat, f)
	require.Equal(t, []string{keyA}, p.up.take(), "the pool exists")

	const rejected = `{"error":{"message":"Incorrect API key provided",` +
		`"type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
	p.up.set(own, answer(http.StatusUnauthorized, rejected, "X-Request-Id", "req_1"))
	resp, got := p.send(chat, f, byok...)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Equal(t, rejected, string(got))
	require.Equal(t, "req_1", resp.Header.Get("X-Request-Id"))
	require.Equal(t, []string{own}, p.up.take())
	ic := p.interception(resp)
	require.Equal(t, recorder.CredentialBYOK, ic.CredentialKind)
	require.Equal(t, keyfailover.Mask(own), ic.CredentialHint)
	require.Equal(t, recorder.StatusFailed, ic.Status)

	p.up.set(own, answer(http.StatusTooManyRequests, rateLimitBody, "Retry-After", "30"))
	resp, got = p.send(chat, f, byok...)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "30", resp.Header.Get("Retry-After"))
	require.Equal(t, rateLimitBody, string(got))
	require.Equal(t, []string{own}, p.up.take())
	require.Equal(t, []keyfailover.KeyState{valid(keyA), valid(keyB)}, p.states("openai"))
}

// TestPassthroughFailover walks the pool on a passthrough route too.
func TestPassthroughFailover(t *testing.T) {
	t.Parallel()

	const counted = `{"input_tokens":12}`
	p := setupKeys(t, []string{keyA, keyB})
	p.up.set(keyA, answer(http.StatusUnauthorized, authBody))
	p.up.set(keyB, answer(http.StatusOK, counted))
	count := func() (*http.Response, []byte) {
		resp := p.post("anthropic", "/v1/messages/count_tokens",
			`{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}`)
		return resp, readAll(t, resp)
	}

	resp, got := count()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, counted, string(got))
	require.Equal(t, []string{keyA, keyB}, p.up.take())
	seen := p.upstream.seen()
	require.Equal(t, "/v1/messages/count_tokens", seen[len(seen)-1].Path)

	p.up.set(keyB, answer(http.StatusTooManyRequests, rateLimitBody, "retry-after-ms", "300"))
	resp, got = count()
	require.Equal(t, []string{keyB}, p.up.take())
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	requireShape(t, "anthropic", got, "rate_limit_error", "", "")
}

// TestReloadKeepsKeyState keeps the state of keys a new provider set still
// holds; a key added, or removed and added back, starts valid.
func TestReloadKeepsKeyState(t *testing.T) {
	t.Parallel()

	p := setupKeys(t, []string{keyA, keyB, keyC})
	p.up.set(keyA, answer(http.StatusUnauthorized, authBody))
	p.up.set(keyB, answer(http.StatusTooManyRequests, rateLimitBody))
	p.up.set(keyC, ok(p.msgs))
	p.up.set(keyD, ok(p.msgs))
	p.messages()
	require.Equal(t, []string{keyA, keyB, keyC}, p.up.take())

	p.clk.advance(time.Second)
	p.reload(keyD, keyA, keyC)
	p.messages()
	require.Equal(t, []string{keyD}, p.up.take())
	st := p.states("anthropic")
	require.Equal(t, keyfailover.StatePermanent, st[1].State, "kept")
	require.Equal(t, epoch, st[1].Since)
	require.Equal(t, epoch.Add(time.Second), st[0].Since, "added")

	p.up.set(keyD, answer(http.StatusUnauthorized, authBody))
	p.up.set(keyB, ok(p.msgs))
	p.reload(keyD, keyB, keyA, keyC)
	p.messages()
	require.Equal(t, []string{keyD, keyB}, p.up.take(), "B starts valid again")
	require.Equal(t, keyfailover.StateValid, p.states("anthropic")[1].State)
}

// TestConcurrentFailover sends 500 requests, 50 at a time, over three keys
// of which the first is always rate-limited; every request must succeed on
// a valid key.
func TestConcurrentFailover(t *testing.T) {
	t.Parallel()

	// The pools run on the real clock with a cooldown of a millisecond, so
	// that the rate-limited key keeps coming back while requests race
	// through the pool.
	p := setupKeys(t, []string{keyA, keyB, keyC}, func(o *bridge.Options) {
		o.Keys.Now = time.Now
		o.Keys.Cooldown = time.Millisecond
	})
	p.up.set(keyA, answer(http.StatusTooManyRequests, rateLimitBody))
	p.up.set(keyB, ok(p.msgs))
	p.up.set(keyC, ok(p.msgs))

	const requests, workers = 500, 50
	ids := make([]string, requests)
	errs := make([]error, requests)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				var status int
				var body []byte
				status, body, ids[i], errs[i] = call(p.gateway, apiNamed("Messages"), p.msgs)
				if errs[i] == nil && status != http.StatusOK {
					errs[i] = fmt.Errorf("status %d: %s", status, body)
				}
			}
		})
	}
	for i := range requests {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	for i, err := range errs {
		require.NoError(t, err, "request %d", i)
	}
	counts := map[string]int{}
	for _, k := range p.up.take() {
		counts[k]++
	}
	require.Equal(t, requests, counts[keyB]+counts[keyC], "every success on a valid key")
	require.Positive(t, counts[keyA])
	for _, id := range ids[:20] {
		resp := &http.Response{Header: http.Header{}}
		resp.Header.Set(bridge.HeaderInterceptionID, id)
		ic := p.interception(resp)
		require.Equal(t, recorder.StatusCompleted, ic.Status)
		require.Contains(t, []string{keyfailover.Mask(keyB), keyfailover.Mask(keyC)},
			ic.CredentialHint)
	}
}
