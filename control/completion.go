package control

import (
	"bytes"
	"context"
	"net/http"
	"strings"

	"github.com/aigateway/aigateway/bridge"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/recorder"
)

// CompletionStream is the server side of a Complete stream; the gRPC and
// the DRPC stream types both satisfy it.
type CompletionStream interface {
	Context() context.Context
	Send(*aigatewayv1.CompleteResponse) error
}

// CompletionService implements aigatewayv1.CompletionService by running
// each completion through the HTTP data plane in process, so that it gets
// the same key failover, circuit breaking and recording.
type CompletionService struct {
	dataPlane http.Handler
}

// NewCompletionService returns the completion service over the data
// plane's handler.
func NewCompletionService(dataPlane http.Handler) *CompletionService {
	return &CompletionService{dataPlane: dataPlane}
}

// apiPaths maps each API to its route below the provider's name, and the
// header that carries a BYOK credential for it.
var apiPaths = map[aigatewayv1.Api]struct{ path, credHeader string }{
	aigatewayv1.Api_API_ANTHROPIC_MESSAGES:      {"/v1/messages", "X-Api-Key"},
	aigatewayv1.Api_API_OPENAI_CHAT_COMPLETIONS: {"/v1/chat/completions", "Authorization"},
	aigatewayv1.Api_API_OPENAI_RESPONSES:        {"/v1/responses", "Authorization"},
}

// Complete runs one completion and streams its answer: the head, the body
// as it arrives, then a trailer with the interception id and usage.
func (s *CompletionService) Complete(
	req *aigatewayv1.CompleteRequest, stream CompletionStream,
) error {
	ctx := stream.Context()
	ini, err := authorize(ctx, actComplete)
	if err != nil {
		return err
	}
	route, ok := apiPaths[req.GetApi()]
	if !ok {
		return invalid("api", "an API is required: anthropic messages, openai chat "+
			"completions or openai responses")
	}
	if !providers.ValidName(req.GetProvider()) {
		return invalid("provider", "%q is not a provider name", req.GetProvider())
	}

	var ic *recorder.Interception
	ctx = bridge.WithInitiator(ctx, ini)
	ctx = bridge.WithObserver(ctx, func(got *recorder.Interception) { ic = got })
	url := "http://in-process/api/v2/ai-gateway/" + req.GetProvider() + route.path
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req.GetBody()))
	if err != nil {
		return internal("build request", err)
	}
	for k, v := range req.GetHeaders() {
		r.Header.Set(k, v)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Del("Authorization")
	r.Header.Del("X-Api-Key")
	if cred := req.GetByokCredential(); cred != "" {
		if route.credHeader == "Authorization" {
			cred = "Bearer " + cred
		}
		r.Header.Set(route.credHeader, cred)
	}

	w := &streamWriter{stream: stream, header: make(http.Header)}
	s.dataPlane.ServeHTTP(w, r)
	if w.err != nil {
		return w.err
	}
	w.sendHead()
	if w.err != nil {
		return w.err
	}
	return stream.Send(&aigatewayv1.CompleteResponse{
		Part: &aigatewayv1.CompleteResponse_Trailer{Trailer: trailer(ic, w.header)},
	})
}

// trailer sums the usage of an interception.
func trailer(ic *recorder.Interception, header http.Header) *aigatewayv1.Trailer {
	t := &aigatewayv1.Trailer{InterceptionId: header.Get(bridge.HeaderInterceptionID)}
	if ic == nil {
		return t
	}
	t.InterceptionId = ic.ID.String()
	for _, u := range ic.TokenUsages {
		t.InputTokens += u.Input
		t.OutputTokens += u.Output
		t.CacheReadInputTokens += u.CacheRead
		t.CacheWriteInputTokens += u.CacheWrite
	}
	return t
}

// streamWriter is an http.ResponseWriter that sends what the data plane
// writes as Complete responses: the head once, then each write as a chunk.
type streamWriter struct {
	stream     CompletionStream
	header     http.Header
	status     int
	headerSent bool
	err        error
}

func (w *streamWriter) Header() http.Header { return w.header }

func (w *streamWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.sendHead()
	if w.err != nil {
		return 0, w.err
	}
	chunk := bytes.Clone(p)
	err := w.stream.Send(&aigatewayv1.CompleteResponse{
		Part: &aigatewayv1.CompleteResponse_Chunk{Chunk: chunk},
	})
	if err != nil {
		w.err = err
		return 0, err
	}
	return len(p), nil
}

// Flush does nothing: every write is sent at once.
func (w *streamWriter) Flush() {}

func (w *streamWriter) sendHead() {
	if w.headerSent || w.err != nil {
		return
	}
	w.headerSent = true
	if w.status == 0 {
		w.status = http.StatusOK
	}
	head := &aigatewayv1.Head{Status: int32(w.status), Headers: make(map[string]string)}
	for k, vs := range w.header {
		head.Headers[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	w.err = w.stream.Send(&aigatewayv1.CompleteResponse{
		Part: &aigatewayv1.CompleteResponse_Head{Head: head},
	})
}
