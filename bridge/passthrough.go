package bridge

import (
	"io"
	"net/http"
	"strconv"
)

// passthrough proxies a route that is not intercepted: same
// authentication, the provider's key (walking the pool) or the client's
// own, and the answer relayed as it arrives.
func (q *request) passthrough() {
	status := "error"
	defer func() { q.h.opts.Metrics.passthroughDone(q.provider.Name, status) }()

	body, gerr := readBody(q.r)
	if gerr != nil {
		gerr.write(q.w, q.shape)
		return
	}
	q.body = body
	if gerr := q.checkProvider(); gerr != nil {
		gerr.write(q.w, q.shape)
		return
	}

	ctx, cancel, headersIn := q.upstreamContext(false)
	defer cancel(nil)
	at, gerr := q.send(ctx, body)
	headersIn()
	if gerr != nil {
		gerr.write(q.w, q.shape)
		return
	}
	defer at.resp.Body.Close()
	status = strconv.Itoa(at.resp.StatusCode)

	// Error bodies are small and may echo the key: they are read whole and
	// scrubbed. Other bodies stream through, flushed as they arrive.
	h := q.w.Header()
	copyResponseHeader(h, at.resp.Header, at.secret)
	if at.resp.StatusCode >= http.StatusBadRequest {
		data, _ := io.ReadAll(io.LimitReader(at.resp.Body, maxResponseBytes))
		data = scrub(data, at.secret)
		h.Set("Content-Length", strconv.Itoa(len(data)))
		q.w.WriteHeader(at.resp.StatusCode)
		_, _ = q.w.Write(data)
		return
	}
	if at.resp.ContentLength >= 0 && at.resp.Header.Get("Content-Encoding") == "" {
		h.Set("Content-Length", strconv.FormatInt(at.resp.ContentLength, 10))
	}
	q.w.WriteHeader(at.resp.StatusCode)
	copyFlushing(q.w, at.resp.Body)
}

// copyFlushing copies src to w, flushing after each read.
func copyFlushing(w http.ResponseWriter, src io.Reader) {
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			_ = rc.Flush()
		}
		if err != nil {
			return
		}
	}
}
