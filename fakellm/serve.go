package fakellm

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
)

// maxBodyBytes bounds a request body.
const maxBodyBytes = 32 << 20

// maxPooledBytes bounds the buffers kept for the next request, so that one
// huge request does not pin its memory.
const maxPooledBytes = 1 << 20

// defaultModel is the model of an answer to a request that names none.
const defaultModel = `"fake-model"`

// Header values shared by every answer; net/http never changes them.
var (
	jsonType = []string{"application/json"}
	sseType  = []string{"text/event-stream; charset=utf-8"}
	noCache  = []string{"no-cache"}
)

// api is one fake API: its rendered bodies and events, and where its
// requests name their first tool. The three share this skeleton.
type api struct {
	// anthropic selects Anthropic's error shape and request id header.
	anthropic bool
	// toolPath finds the first tool's name in a request (gjson syntax).
	toolPath string
	// blockingText and blockingTool are the blocking answers without and
	// with a tool call.
	blockingText, blockingTool template
	// head holds the events before the first text chunk, delta one chunk.
	head, delta template
	// tail appends the events after the last text chunk.
	tail func(dst []byte, a *answer) []byte
	// errorEvent is the provider's error event inside a stream.
	errorEvent template
	// partial is the start of an event, where a cut stream stops.
	partial template
}

// plan is how one request is answered.
type plan struct {
	delay  time.Duration
	gap    time.Duration
	chunks int
	fault  Fault
}

// plan reads the request's overrides; msg says what is wrong with them.
func (s *Server) plan(r *http.Request, key string) (p plan, msg string) {
	p = plan{
		delay: s.opts.Delay, gap: s.opts.ChunkDelay, chunks: s.opts.Chunks,
		fault: s.opts.Faults[key],
	}
	if v := r.Header.Get(HeaderDelay); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return p, HeaderDelay + " must be a duration such as 50ms"
		}
		p.delay = d
	}
	if v := r.Header.Get(HeaderChunkDelay); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return p, HeaderChunkDelay + " must be a duration such as 5ms"
		}
		p.gap = d
	}
	if v := r.Header.Get(HeaderChunks); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, HeaderChunks + " must be a whole number of at least 1"
		}
		p.chunks = n
	}
	if v := r.Header.Get(HeaderFault); v != "" {
		f, err := ParseFault(v)
		if err != nil {
			return p, HeaderFault + ": " + err.Error()
		}
		p.fault = f
	}
	return p, ""
}

// serve answers a request to one of the fake APIs.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, a *api) {
	key := credential(r)
	known := len(s.keys) == 0 || s.keys[key]
	st := s.count(key, known)
	if !known {
		st.rejected.Add(1)
		writeError(w, a.anthropic, http.StatusUnauthorized, "")
		return
	}
	p, msg := s.plan(r, key)
	if msg != "" {
		writeError(w, a.anthropic, http.StatusBadRequest, msg)
		return
	}
	if p.fault != FaultNone {
		st.faults.Add(1)
	}
	if status := p.fault.status(); status != 0 {
		if status == http.StatusTooManyRequests {
			w.Header()["Retry-After"] = s.retryAfter
		}
		writeError(w, a.anthropic, status, "")
		return
	}

	b := s.bufs.Get().(*buffers)
	defer s.put(b)
	in := bytes.NewBuffer(b.in[:0])
	_, err := in.ReadFrom(io.LimitReader(r.Body, maxBodyBytes))
	b.in = in.Bytes()
	if err != nil {
		writeError(w, a.anthropic, http.StatusBadRequest, "read the request body: "+err.Error())
		return
	}
	if body := bytes.TrimSpace(b.in); len(body) == 0 || body[0] != '{' {
		writeError(w, a.anthropic, http.StatusBadRequest, "the body must be a JSON object")
		return
	}

	// One pass over the request finds everything the answer depends on.
	res := gjson.GetManyBytes(b.in, "stream", "model", a.toolPath,
		"stream_options.include_usage")
	ans := answer{
		model:   defaultModel,
		usage:   res[3].Bool(),
		created: time.Now().Unix(),
		chunks:  p.chunks,
	}
	ans.id = strconv.AppendUint(append(make([]byte, 0, 32), "fakellm"...), s.ids.Add(1), 10)
	if res[1].Type == gjson.String {
		ans.model = res[1].Raw
	}
	if res[2].Type == gjson.String {
		ans.tool = res[2].Raw
	}
	hdr := "X-Request-Id"
	if a.anthropic {
		hdr = "Request-Id"
	}
	w.Header()[hdr] = []string{"req_" + string(ans.id)}

	if res[0].Bool() {
		b.out = s.stream(w, r, a, &ans, p, b.out[:0])
	} else {
		b.out = s.blocking(w, r, a, &ans, p, b.out[:0])
	}
}

// put keeps b for the next request unless it grew too large.
func (s *Server) put(b *buffers) {
	if cap(b.in) <= maxPooledBytes && cap(b.out) <= maxPooledBytes {
		s.bufs.Put(b)
	}
}

// blocking answers with one JSON body after the delay, and returns the
// rendering buffer for reuse.
func (s *Server) blocking(
	w http.ResponseWriter, r *http.Request, a *api, ans *answer, p plan, out []byte,
) []byte {
	ctx := r.Context()
	if p.fault == FaultStall {
		s.stall(ctx)
		panic(http.ErrAbortHandler)
	}
	timer := stoppedTimer()
	defer timer.Stop()
	if !s.wait(ctx, timer, p.delay) {
		return out
	}
	if p.fault == FaultStreamError {
		writeError(w, a.anthropic, http.StatusInternalServerError, "")
		return out
	}

	t := a.blockingText
	if ans.tool != "" {
		t = a.blockingTool
	}
	out = t.render(out, ans)
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(len(out))}
	if p.fault == FaultCut {
		w.WriteHeader(http.StatusOK)
		_ = send(w, out[:len(out)/2])
		panic(http.ErrAbortHandler)
	}
	_, _ = w.Write(out)
	return out
}

// stream answers with server-sent events: the head and the first chunk
// after the delay, then a chunk each gap, the last with the tail. A fault
// strikes after half the chunks. It returns the rendering buffer for reuse.
func (s *Server) stream(
	w http.ResponseWriter, r *http.Request, a *api, ans *answer, p plan, out []byte,
) []byte {
	ctx := r.Context()
	timer := stoppedTimer()
	defer timer.Stop()
	if !s.wait(ctx, timer, p.delay) {
		return out
	}
	h := w.Header()
	h["Content-Type"] = sseType
	h["Cache-Control"] = noCache

	stop := p.chunks
	if p.fault != FaultNone {
		stop = p.chunks / 2
	}
	out = a.head.render(out, ans)
	for i := range stop {
		if i > 0 {
			if !send(w, out) || !s.wait(ctx, timer, p.gap) {
				return out
			}
			out = out[:0]
		}
		ans.word = i
		out = a.delta.render(out, ans)
	}

	switch p.fault {
	case FaultStreamError:
		_ = send(w, a.errorEvent.render(out, ans))
	case FaultCut:
		_ = send(w, a.partial.render(out, ans))
		panic(http.ErrAbortHandler)
	case FaultStall:
		if send(w, out) {
			s.stall(ctx)
		}
		panic(http.ErrAbortHandler)
	default:
		out = a.tail(out, ans)
		_ = send(w, out)
	}
	return out
}

// send writes b and flushes it to the client; false means the client is
// gone.
func send(w http.ResponseWriter, b []byte) bool {
	if _, err := w.Write(b); err != nil {
		return false
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	return true
}

// stoppedTimer returns a timer for wait to reset.
func stoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// wait waits d on t. It returns false when the client went away first, and
// true at once when the server is closing.
func (s *Server) wait(ctx context.Context, t *time.Timer, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t.Reset(d)
	select {
	case <-t.C:
		return true
	case <-s.closing:
		t.Stop()
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}

// stall waits until the client goes away, the server closes, or
// StallTimeout passes.
func (s *Server) stall(ctx context.Context) {
	t := time.NewTimer(s.opts.StallTimeout)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-s.closing:
	case <-t.C:
	}
}
