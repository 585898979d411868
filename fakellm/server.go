package fakellm

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultAddress      = "127.0.0.1:8090"
	DefaultChunks       = 10
	DefaultRetryAfter   = time.Second
	DefaultStallTimeout = 5 * time.Minute
)

// Request headers that override Options for one request.
const (
	// HeaderDelay overrides Options.Delay, as a Go duration ("50ms").
	HeaderDelay = "X-Fakellm-Delay"
	// HeaderChunks overrides Options.Chunks.
	HeaderChunks = "X-Fakellm-Chunks"
	// HeaderChunkDelay overrides Options.ChunkDelay, as a Go duration.
	HeaderChunkDelay = "X-Fakellm-Chunk-Delay"
	// HeaderFault asks for a fault, by the name ParseFault reads; it wins
	// over the fault of the request's key.
	HeaderFault = "X-Fakellm-Fault"
)

// maxStatsKeys bounds the keys counted apart in Stats when any key is
// accepted; the rest are counted together under otherKey.
const maxStatsKeys = 1000

// Names under which Stats counts requests that have no key of their own.
const (
	noKey      = "(none)"
	unknownKey = "(unknown)"
	otherKey   = "(other)"
)

// Options configures a Server. Zero fields take their defaults.
type Options struct {
	// Keys lists the API keys accepted, in Authorization: Bearer or
	// X-Api-Key. Empty accepts any key, and none.
	Keys []string
	// Faults maps an API key to the fault that every request with that key
	// gets; a key named here is accepted even when Keys is not empty.
	// Default: none.
	Faults map[string]Fault
	// Delay is the wait before the first byte of an answer. Default 0.
	Delay time.Duration
	// Chunks is the number of text chunks of an answer: the delta events of
	// a stream, the words of a blocking answer. Default DefaultChunks (10).
	Chunks int
	// ChunkDelay is the wait between two chunks of a stream; a blocking
	// answer waits only Delay. Default 0.
	ChunkDelay time.Duration
	// RetryAfter is the wait a 429 answer names in Retry-After, rounded up
	// to whole seconds. Default DefaultRetryAfter (1 s).
	RetryAfter time.Duration
	// StallTimeout bounds a stall. Default DefaultStallTimeout (5 min).
	StallTimeout time.Duration
}

// Server is the fake upstream, an http.Handler. Its methods are safe for
// concurrent use.
type Server struct {
	opts       Options
	keys       map[string]bool
	retryAfter []string

	closeOnce sync.Once
	closing   chan struct{}

	ids   atomic.Uint64
	total atomic.Int64

	statsMu sync.RWMutex
	stats   map[string]*keyStats

	bufs sync.Pool // *buffers
}

// keyStats counts the requests of one key.
type keyStats struct {
	requests atomic.Int64
	faults   atomic.Int64
	rejected atomic.Int64
}

// buffers are a request's reusable buffers.
type buffers struct {
	in  []byte
	out []byte
}

// New returns a Server configured by opts.
func New(opts Options) *Server {
	if opts.Chunks <= 0 {
		opts.Chunks = DefaultChunks
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = DefaultRetryAfter
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = DefaultStallTimeout
	}
	s := &Server{
		opts:       opts,
		keys:       make(map[string]bool, len(opts.Keys)),
		retryAfter: []string{seconds(opts.RetryAfter)},
		closing:    make(chan struct{}),
		stats:      make(map[string]*keyStats),
	}
	for _, k := range opts.Keys {
		s.keys[k] = true
	}
	if len(s.keys) > 0 {
		for k := range opts.Faults {
			s.keys[k] = true
		}
	}
	s.bufs.New = func() any { return &buffers{in: make([]byte, 0, 8<<10)} }
	return s
}

// Close ends every wait and stall in progress, so that an http.Server
// holding this handler can shut down. Requests that arrive afterwards are
// answered without delays.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
}

// ServeHTTP serves the fake APIs, GET /stats and GET /healthz.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var a *api
	switch r.URL.Path {
	case "/v1/chat/completions":
		a = &chatAPI
	case "/v1/responses":
		a = &responsesAPI
	case "/v1/messages":
		a = &messagesAPI
	case "/stats":
		s.serveStats(w, r)
		return
	case "/healthz":
		_, _ = w.Write([]byte("ok\n"))
		return
	default:
		writeError(w, r.Header.Get("X-Api-Key") != "", http.StatusNotFound, "")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, a.anthropic, http.StatusMethodNotAllowed, "use POST")
		return
	}
	s.serve(w, r, a)
}

// credential returns the API key of a request: Authorization: Bearer, else
// X-Api-Key.
func credential(r *http.Request) string {
	if v := r.Header.Get("Authorization"); v != "" {
		return strings.TrimPrefix(v, "Bearer ")
	}
	return r.Header.Get("X-Api-Key")
}

// count counts a request of key and returns the key's counters.
func (s *Server) count(key string, known bool) *keyStats {
	s.total.Add(1)
	switch {
	case !known:
		key = unknownKey
	case key == "":
		key = noKey
	}
	s.statsMu.RLock()
	st, ok := s.stats[key]
	s.statsMu.RUnlock()
	if !ok {
		s.statsMu.Lock()
		if st, ok = s.stats[key]; !ok {
			if len(s.stats) >= maxStatsKeys {
				key = otherKey
			}
			if st, ok = s.stats[key]; !ok {
				st = new(keyStats)
				s.stats[key] = st
			}
		}
		s.statsMu.Unlock()
	}
	st.requests.Add(1)
	return st
}

// Stats is what GET /stats answers.
type Stats struct {
	// Requests counts every request to the fake APIs.
	Requests int64 `json:"requests"`
	// Keys counts the requests by API key. Requests without a key count
	// under "(none)", those with a key not in Options.Keys under
	// "(unknown)", and keys past the first thousand under "(other)".
	Keys map[string]KeyStats `json:"keys"`
}

// KeyStats counts the requests of one key.
type KeyStats struct {
	// Requests counts the key's requests.
	Requests int64 `json:"requests"`
	// Faults counts the requests that got a fault.
	Faults int64 `json:"faults"`
	// Rejected counts the requests refused for their key.
	Rejected int64 `json:"rejected"`
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	s.statsMu.RLock()
	defer s.statsMu.RUnlock()
	out := Stats{Requests: s.total.Load(), Keys: make(map[string]KeyStats, len(s.stats))}
	for k, st := range s.stats {
		out.Keys[k] = KeyStats{
			Requests: st.requests.Load(),
			Faults:   st.faults.Load(),
			Rejected: st.rejected.Load(),
		}
	}
	return out
}

func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, false, http.StatusMethodNotAllowed, "use GET")
		return
	}
	w.Header()["Content-Type"] = jsonType
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(s.Stats())
}

// IsLoopback reports whether a listen address names a loopback host:
// localhost or a loopback IP. An empty host, which listens on every
// interface, is not loopback.
func IsLoopback(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// seconds renders d in whole seconds, rounded up, at least 1.
func seconds(d time.Duration) string {
	return strconv.FormatInt(max(int64((d+time.Second-1)/time.Second), 1), 10)
}
