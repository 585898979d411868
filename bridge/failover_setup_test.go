package bridge_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/intercept/fixture"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/providers"
)

// Keys of the failover tests; their hints differ in the last four
// characters.
const (
	keyA = "sk-test-failover-0000000000000000aaaa"
	keyB = "sk-test-failover-0000000000000000bbbb"
	keyC = "sk-test-failover-0000000000000000cccc"
	keyD = "sk-test-failover-0000000000000000dddd"
)

// Upstream error bodies.
const (
	rateLimitBody = `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`
	quotaBody     = `{"error":{"message":"You exceeded your current quota",` +
		`"type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`
	authBody = `{"type":"error","error":{"type":"authentication_error",` +
		`"message":"invalid x-api-key"}}`
)

// epoch is where the pools' fake clock starts, on a whole second so that
// an HTTP date names an exact wait.
var epoch = time.Date(2030, time.January, 2, 3, 4, 5, 0, time.UTC)

// clock is a fake clock for the key pools.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// keyed is an upstream scripted per key: a request is answered by the
// handler of the provider key it carries, and the keys are logged in order.
type keyed struct {
	mu    sync.Mutex
	by    map[string]http.HandlerFunc
	tried []string
}

// set scripts the answers to a key.
func (k *keyed) set(key string, h http.HandlerFunc) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.by[key] = h
}

// take returns the keys the upstream saw since the last take.
func (k *keyed) take() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := k.tried
	k.tried = nil
	return out
}

func (k *keyed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("X-Api-Key")
	if key == "" {
		key = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	k.mu.Lock()
	k.tried = append(k.tried, key)
	h := k.by[key]
	k.mu.Unlock()

	if h == nil {
		http.Error(w, "unscripted key", http.StatusTeapot)
		return
	}
	h(w, r)
}

// pools is a gateway whose providers hold several keys, answered per key,
// with the pools on a fake clock.
type pools struct {
	*gateway
	up  *keyed
	clk *clock
	// msgs is the Messages API's blocking_text fixture.
	msgs fixture.Fixture
}

// setupKeys is setup with both providers holding keys.
func setupKeys(t *testing.T, keys []string, tweak ...func(*bridge.Options)) *pools {
	t.Helper()

	clk := &clock{now: epoch}
	useClock := func(o *bridge.Options) { o.Keys.Now = clk.Now }
	g := setup(t, append([]func(*bridge.Options){useClock}, tweak...)...)

	p := &pools{gateway: g, up: &keyed{by: map[string]http.HandlerFunc{}}, clk: clk}
	p.msgs = fixtureNamed(t, apiNamed("Messages"), "blocking_text")
	p.reload(keys...)
	g.upstream.handle(p.up.ServeHTTP)
	return p
}

// reload swaps in a new provider set whose providers hold keys.
func (p *pools) reload(keys ...string) {
	url := p.upstream.srv.URL
	p.set.set.Store(providers.NewSet(
		provider("openai", providers.TypeOpenAI, url+"/v1", keys...),
		provider("anthropic", providers.TypeAnthropic, url, keys...),
	))
}

func (p *pools) handler() *bridge.Handler {
	return p.srv.Config.Handler.(*bridge.Handler)
}

// states returns the key states of a provider's pool.
func (p *pools) states(provider string) []keyfailover.KeyState {
	return p.handler().KeyStates()[provider]
}

// send posts a fixture's request to an API and reads the answer.
func (p *pools) send(ac apiCase, f fixture.Fixture, hdr ...string) (*http.Response, []byte) {
	p.t.Helper()

	resp := p.post(ac.provider, ac.path, string(f.Request), hdr...)
	return resp, readAll(p.t, resp)
}

// messages sends the msgs fixture's request.
func (p *pools) messages(hdr ...string) (*http.Response, []byte) {
	p.t.Helper()
	return p.send(apiNamed("Messages"), p.msgs, hdr...)
}

// call sends a fixture's request, with header pairs, from any goroutine. It
// returns the status, the body and the interception id.
func call(g *gateway, ac apiCase, f fixture.Fixture, hdr ...string) (int, []byte, string, error) {
	req, err := http.NewRequest(http.MethodPost, g.url(ac.provider, ac.path),
		strings.NewReader(string(f.Request)))
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header.Get(bridge.HeaderInterceptionID), err
}

// answer replies with status, a JSON body and header pairs.
func answer(status int, body string, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// ok replies with a fixture's response, streamed in small writes when it
// is a stream.
func ok(f fixture.Fixture) http.HandlerFunc {
	if f.Streaming {
		return serve(http.StatusOK, "text/event-stream", f.Response, 7)
	}
	return serve(http.StatusOK, "application/json", f.Response, 0)
}

// hangUp drops the connection without an answer.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// errorBody is a gateway or upstream error of either shape.
type errorBody struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// requireShape checks an error body: Anthropic's outer "type":"error" and
// its error type, or OpenAI's error type and code.
func requireShape(t *testing.T, provider string, body []byte, anthropicType, openaiType,
	openaiCode string,
) errorBody {
	t.Helper()

	var e errorBody
	require.NoError(t, json.Unmarshal(body, &e), "error body: %s", body)
	require.NotEmpty(t, e.Error.Message)
	if provider == "anthropic" {
		require.Equal(t, [3]string{"error", anthropicType, ""},
			[3]string{e.Type, e.Error.Type, e.Error.Code}, "body: %s", body)
	} else {
		require.Equal(t, [3]string{"", openaiType, openaiCode},
			[3]string{e.Type, e.Error.Type, e.Error.Code}, "body: %s", body)
	}
	return e
}

func valid(key string) keyfailover.KeyState {
	return keyfailover.KeyState{
		Hint: keyfailover.Mask(key), State: keyfailover.StateValid, Since: epoch,
	}
}
