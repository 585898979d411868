package bridge_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/apitoken"
	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/recorder"
	"github.com/aigateway/aigateway/store"
)

// Keys the test providers hold.
const (
	openaiKey    = "sk-test-openai-0000000000000000000001"
	anthropicKey = "sk-ant-test-0000000000000000000000001"
)

// providerSet is a ProviderSource whose set tests may swap.
type providerSet struct {
	set atomic.Pointer[providers.Set]
}

func (p *providerSet) Current() *providers.Set { return p.set.Load() }

// gateway is a data plane under test, with its upstream.
type gateway struct {
	t        *testing.T
	st       *store.Store
	srv      *httptest.Server
	upstream *upstream
	rec      *recorder.Recorder
	registry *prometheus.Registry
	token    string
	userID   uuid.UUID
	set      *providerSet
}

// setup starts an upstream, a recorder on a fresh database, and a data
// plane with an OpenAI provider "openai" and an Anthropic provider
// "anthropic", both pointed at the upstream. tweak may change the options.
func setup(t *testing.T, tweak ...func(*bridge.Options)) *gateway {
	t.Helper()

	ctx := t.Context()
	st := dbtest.NewStore(t)
	user, err := st.Queries.InsertUser(ctx, db.InsertUserParams{
		Username: "ann", Role: db.UserRoleMember,
	})
	require.NoError(t, err)
	tok, err := apitoken.New()
	require.NoError(t, err)
	_, err = st.Queries.InsertAPIToken(ctx, db.InsertAPITokenParams{
		ID: tok.ID, UserID: user.ID, HashedSecret: tok.Hash(),
	})
	require.NoError(t, err)

	up := newUpstream(t)
	set := &providerSet{}
	set.set.Store(providers.NewSet(
		provider("openai", providers.TypeOpenAI, up.srv.URL+"/v1", openaiKey),
		provider("anthropic", providers.TypeAnthropic, up.srv.URL, anthropicKey),
	))

	rec := recorder.New(st, recorder.Options{FlushInterval: 5 * time.Millisecond})
	rec.Start(context.Background())
	t.Cleanup(func() { require.NoError(t, rec.Close(context.Background())) })

	reg := prometheus.NewRegistry()
	opts := bridge.Options{
		Providers: set,
		Auth:      auth.New(st),
		Recorder:  rec,
		Metrics:   bridge.NewMetrics(reg),
	}
	for _, f := range tweak {
		f(&opts)
	}
	srv := httptest.NewServer(bridge.New(opts))
	t.Cleanup(srv.Close)

	return &gateway{
		t: t, st: st, srv: srv, upstream: up, rec: rec, registry: reg,
		token: tok.String(), userID: user.ID, set: set,
	}
}

func provider(name string, typ providers.Type, baseURL string, keys ...string) *providers.Provider {
	return &providers.Provider{
		Spec:    providers.Spec{Name: name, Type: typ, BaseURL: baseURL, Keys: keys},
		ID:      uuid.New(),
		Enabled: true,
	}
}

// url returns the gateway URL of a provider's path.
func (g *gateway) url(provider, path string) string {
	return g.srv.URL + "/api/v2/ai-gateway/" + provider + path
}

// post sends a body with the gateway token as a bearer token.
func (g *gateway) post(provider, path, body string, hdr ...string) *http.Response {
	g.t.Helper()

	req, err := http.NewRequest(http.MethodPost, g.url(provider, path), strings.NewReader(body))
	require.NoError(g.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+g.token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(g.t, err)
	return resp
}

// interception waits for the interception of a response to be written and
// returns it.
func (g *gateway) interception(resp *http.Response) *recorder.Interception {
	g.t.Helper()

	id, err := uuid.Parse(resp.Header.Get(bridge.HeaderInterceptionID))
	require.NoError(g.t, err, "response names its interception")
	var ic *recorder.Interception
	require.Eventually(g.t, func() bool {
		ic, err = recorder.Get(g.t.Context(), g.st.Queries, id)
		return err == nil
	}, 10*time.Second, 5*time.Millisecond)
	return ic
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()

	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}

// upstream is a scripted provider. By default it answers every request
// with the fixture response set by its handler.
type upstream struct {
	srv *httptest.Server

	mu       sync.Mutex
	handler  http.HandlerFunc
	requests []seenRequest
}

// seenRequest is a request the upstream received.
type seenRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()

	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.requests = append(u.requests, seenRequest{
			Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), Body: body,
		})
		h := u.handler
		u.mu.Unlock()
		if h == nil {
			http.Error(w, "no handler", http.StatusTeapot)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) handle(h http.HandlerFunc) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.handler = h
}

func (u *upstream) seen() []seenRequest {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]seenRequest(nil), u.requests...)
}

// serve answers with body, in writes of at most chunk bytes (0: one write),
// each flushed.
func serve(status int, contentType string, body []byte, chunk int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		rc := http.NewResponseController(w)
		if chunk <= 0 {
			chunk = len(body) + 1
		}
		for rest := body; len(rest) > 0; {
			n := min(chunk, len(rest))
			_, _ = w.Write(rest[:n])
			_ = rc.Flush()
			rest = rest[n:]
		}
	}
}

// waitCtx is a context bound to the test with a deadline.
func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
