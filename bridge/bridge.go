package bridge

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/breaker"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/recorder"
)

// maxBodyBytes bounds a client's request body.
const maxBodyBytes = 32 << 20

// Defaults of Options.
const (
	DefaultHeaderTimeout   = 60 * time.Second
	DefaultIdleTimeout     = 2 * time.Minute
	DefaultBlockingTimeout = 10 * time.Minute
)

// Headers the gateway reads itself.
const (
	// HeaderGovernanceToken carries the gateway token of a BYOK request,
	// whose Authorization or X-Api-Key then holds the client's provider key;
	// without either, the user's key stored as "byok:<provider name>" is used.
	HeaderGovernanceToken = "X-Coder-AI-Governance-Token"
	// HeaderInterceptionID names, in a bridged response, the interception
	// that recorded it.
	HeaderInterceptionID = "X-AI-Gateway-Interception-Id"
)

// ProviderSource hands out the current provider set.
type ProviderSource interface {
	// Current returns the provider set in force; never nil.
	Current() *providers.Set
}

// Authenticator checks gateway tokens.
type Authenticator interface {
	// Authenticate returns the initiator of a token, or an error wrapping
	// auth.ErrUnauthenticated for a token that is not valid.
	Authenticate(ctx context.Context, token string) (auth.Initiator, error)
}

// Recorder takes finished interceptions. Record must not block.
type Recorder interface {
	// Record queues ic for writing.
	Record(ic *recorder.Interception)
}

// Options configures a Handler.
type Options struct {
	// Providers is the runtime provider set. Required.
	Providers ProviderSource
	// Auth checks gateway tokens. Required.
	Auth Authenticator
	// Recorder takes the interceptions. Required.
	Recorder Recorder
	// Disabled answers every route with 503 (CODER_AI_GATEWAY_ENABLED=false).
	Disabled bool
	// DisallowBYOK answers every BYOK request with 403
	// (CODER_AI_GATEWAY_ALLOW_BYOK=false).
	DisallowBYOK bool
	// Secrets reads the provider keys users store for BYOK requests that
	// carry none. Default: none, and such requests get 401.
	Secrets Secrets
	// DumpDir, when set, receives each interception's request and response
	// under <DumpDir>/<provider name>/.
	DumpDir string
	// Keys tunes the key pools. Its Metrics field is filled from Metrics.
	Keys keyfailover.Options
	// Breakers guards providers. Default: breaker.New().
	Breakers *breaker.Set
	// Transport sends upstream requests. Default: NewTransport().
	Transport http.RoundTripper
	// HeaderTimeout bounds the wait for a streaming response's headers.
	// Default DefaultHeaderTimeout.
	HeaderTimeout time.Duration
	// IdleTimeout bounds the gap between two reads of a streaming response.
	// Default DefaultIdleTimeout.
	IdleTimeout time.Duration
	// BlockingTimeout bounds a blocking request. Default
	// DefaultBlockingTimeout.
	BlockingTimeout time.Duration
	// Metrics receives the data plane's metrics. Default: none.
	Metrics *Metrics
	// Logger receives the data plane's log. Default: discard.
	Logger *slog.Logger
	// Now reads the clock. Default time.Now.
	Now func() time.Time
}

// Handler serves the data plane.
type Handler struct {
	opts  Options
	pools sync.Map // provider name -> *poolEntry
}

// poolEntry is a provider's key pool with the provider it was last synced
// with; a new provider set brings new *Provider values, and the pool's keys
// are then updated in place, keeping the state of keys still configured.
type poolEntry struct {
	mu       sync.Mutex
	pool     *keyfailover.Pool
	provider *providers.Provider
	// synced is the pool with the provider it was last synced with, read
	// without the lock.
	synced atomic.Pointer[syncedPool]
}

type syncedPool struct {
	pool     *keyfailover.Pool
	provider *providers.Provider
}

// New returns a Handler.
func New(opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Breakers == nil {
		opts.Breakers = breaker.New()
	}
	if opts.Transport == nil {
		opts.Transport = NewTransport()
	}
	if opts.HeaderTimeout <= 0 {
		opts.HeaderTimeout = DefaultHeaderTimeout
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.BlockingTimeout <= 0 {
		opts.BlockingTimeout = DefaultBlockingTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Keys.Now == nil {
		opts.Keys.Now = time.Now
	}
	if opts.Metrics != nil {
		opts.Keys.Metrics = opts.Metrics.keys
	}
	return &Handler{opts: opts}
}

// NewTransport returns the transport the gateway sends upstream requests
// with: many idle connections per host, HTTP/2 when offered, and gzip asked
// for and decoded by the transport so that clients always get plain bodies.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 256
	t.IdleConnTimeout = 90 * time.Second
	t.ForceAttemptHTTP2 = true
	return t
}

// ServeHTTP serves one data plane request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The error shape is the provider's when the path names a known one,
	// else the path's.
	t, routed := parsePath(r.URL.Path)
	var p *providers.Provider
	known := false
	if routed && t.provider != "" {
		p, known = h.opts.Providers.Current().Get(t.provider)
	}
	shp := shapeForPath(r.URL.Path)
	if known {
		shp = shapeFor(p.Type)
	}

	switch {
	case h.opts.Disabled:
		errUnavailable("the AI gateway is disabled on this server "+
			"(CODER_AI_GATEWAY_ENABLED=false)").write(w, shp)
		return
	case !routed || t.provider == "":
		errNotFound("no route "+r.URL.Path).write(w, shp)
		return
	case !known:
		errNotFound("no provider named "+quote(t.provider)).write(w, shp)
		return
	}

	kind, a := classify(p.Type, r.Method, t.path)
	if kind == routeUnknown {
		errNotFound("provider "+quote(p.Name)+" has no route "+r.Method+" "+t.path).
			write(w, shp)
		return
	}

	cred, gerr := h.authenticate(r, p)
	if gerr != nil {
		gerr.write(w, shp)
		return
	}

	req := &request{h: h, w: w, r: r, provider: p, path: t.path, cred: cred, shape: shp}
	if kind == routePassthrough {
		req.passthrough()
		return
	}
	req.bridge(a)
}

// credential is who a request runs for and what it presents upstream.
type credential struct {
	initiator auth.Initiator
	// byokHeader and byokValue hold the client's own provider credential
	// for a BYOK request; both are empty for a centralized one.
	byokHeader string
	byokValue  string
	// stored is the user's stored key when the BYOK credential came from
	// it; the client never sent it, so no byte it receives may carry it.
	stored string
}

func (c credential) byok() bool { return c.byokHeader != "" }

// authenticate reads the gateway token, from the governance header for a
// BYOK request or from Authorization / X-Api-Key otherwise. A BYOK request
// without a provider key of its own gets the user's key stored for p. A
// request from trusted code in the process carries its initiator instead of
// a token.
func (h *Handler) authenticate(
	r *http.Request, p *providers.Provider,
) (credential, *gatewayError) {
	var cred credential
	governance := false
	if ini, ok := trustedInitiator(r.Context()); ok {
		cred.initiator = ini
		cred.byokHeader, cred.byokValue = clientCredential(r.Header)
	} else {
		token := r.Header.Get(HeaderGovernanceToken)
		governance = token != ""
		if governance {
			cred.byokHeader, cred.byokValue = clientCredential(r.Header)
		} else {
			_, token = clientCredential(r.Header)
			token = strings.TrimPrefix(token, "Bearer ")
		}
		if token == "" {
			return cred, errUnauthenticated("missing gateway token: send it as " +
				"Authorization: Bearer, X-Api-Key, or " + HeaderGovernanceToken)
		}

		ini, err := h.opts.Auth.Authenticate(r.Context(), token)
		if errors.Is(err, auth.ErrUnauthenticated) {
			return cred, errUnauthenticated("invalid gateway token")
		}
		if err != nil {
			h.opts.Logger.Error("authenticate gateway token", "error", err)
			return cred, errUnavailable("the gateway cannot check tokens right now")
		}
		cred.initiator = ini
	}

	if (governance || cred.byok()) && h.opts.DisallowBYOK {
		return cred, errBYOKDisabled()
	}
	if governance && !cred.byok() {
		return h.storedCredential(r.Context(), p, cred)
	}
	return cred, nil
}

// clientCredential returns the header that carries the client's
// credential, Authorization or X-Api-Key, and its value.
func clientCredential(hdr http.Header) (string, string) {
	if v := hdr.Get("Authorization"); v != "" {
		return "Authorization", v
	}
	if v := hdr.Get("X-Api-Key"); v != "" {
		return "X-Api-Key", v
	}
	return "", ""
}

// readBody reads a request body of at most maxBodyBytes.
func readBody(r *http.Request) ([]byte, *gatewayError) {
	if r.ContentLength > maxBodyBytes {
		return nil, errTooLarge()
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(r.ContentLength, 0)+bytes.MinRead))
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	body := buf.Bytes()
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errTooLarge()
	}
	if err != nil {
		return nil, errBadRequest("read request body: " + err.Error())
	}
	return body, nil
}

// pool returns the provider's key pool, synced with its current keys.
func (h *Handler) pool(p *providers.Provider) (*keyfailover.Pool, error) {
	v, ok := h.pools.Load(p.Name)
	if !ok {
		v, _ = h.pools.LoadOrStore(p.Name, &poolEntry{})
	}
	e := v.(*poolEntry)
	// The usual case, a pool synced with the current set, takes no lock.
	if cur := e.synced.Load(); cur != nil && cur.provider == p {
		return cur.pool, nil
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.provider == p {
		return e.pool, nil
	}
	if e.pool == nil {
		pool, err := keyfailover.NewWithOptions(p.Name, p.Keys, h.opts.Keys)
		if err != nil {
			return nil, err
		}
		e.pool = pool
	} else if err := e.pool.Update(p.Keys); err != nil {
		return nil, err
	}
	e.provider = p
	e.synced.Store(&syncedPool{pool: e.pool, provider: p})
	return e.pool, nil
}

// KeyStates returns the key states of every provider that served a request,
// by provider name, for the control plane.
func (h *Handler) KeyStates() map[string][]keyfailover.KeyState {
	out := make(map[string][]keyfailover.KeyState)
	h.pools.Range(func(k, v any) bool {
		e := v.(*poolEntry)
		e.mu.Lock()
		pool := e.pool
		e.mu.Unlock()
		if pool != nil {
			out[k.(string)] = pool.States()
		}
		return true
	})
	return out
}

// BreakerStates returns the state of every circuit breaker that guarded a
// request, sorted by provider, endpoint and model, for the control plane.
func (h *Handler) BreakerStates() []breaker.Status {
	return h.opts.Breakers.States()
}

func quote(s string) string {
	return `"` + s + `"`
}
