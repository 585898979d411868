package client

import (
	"context"
	"io"
	"net/http"
	"sync"
)

// RoundTripper serves HTTP requests with a handler in the same process, with
// no socket: an agent in the gateway's process points the OpenAI or
// Anthropic SDK at the data plane through it (server.Server.DataPlane).
// Responses stream: the body yields what the handler writes as it writes
// it, and closing the body early cancels the handler's request.
type RoundTripper struct {
	// Handler serves the requests.
	Handler http.Handler
}

// RoundTrip serves req and returns the response once the handler has
// written its header.
func (rt RoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	in := req.Clone(ctx)
	if in.Body == nil {
		in.Body = http.NoBody
	}
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "in-process"
	if in.Host == "" {
		in.Host = req.URL.Host
	}

	pr, pw := io.Pipe()
	w := &pipeWriter{header: make(http.Header), pw: pw, head: make(chan struct{})}
	go func() {
		defer w.finish()
		rt.Handler.ServeHTTP(w, in)
	}()

	select {
	case <-w.head:
	case <-ctx.Done():
		cancel()
		_ = pr.CloseWithError(ctx.Err())
		return nil, ctx.Err()
	}
	return &http.Response{
		Status:        http.StatusText(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sent,
		Body:          &pipeBody{PipeReader: pr, cancel: cancel},
		ContentLength: -1,
		Request:       req,
	}, nil
}

// pipeWriter is the handler's side of a RoundTripper exchange.
type pipeWriter struct {
	header http.Header
	sent   http.Header
	status int
	pw     *io.PipeWriter
	head   chan struct{}
	once   sync.Once
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(status int) {
	w.once.Do(func() {
		w.status = status
		w.sent = w.header.Clone()
		close(w.head)
	})
}

// Write blocks until the client reads, which paces the handler.
func (w *pipeWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(p)
}

// Flush does nothing: every write reaches the reader at once.
func (w *pipeWriter) Flush() {}

func (w *pipeWriter) finish() {
	w.WriteHeader(http.StatusOK)
	_ = w.pw.Close()
}

// pipeBody cancels the handler's request when the client closes the body.
type pipeBody struct {
	*io.PipeReader
	cancel context.CancelFunc
}

func (b *pipeBody) Close() error {
	b.cancel()
	return b.PipeReader.Close()
}
