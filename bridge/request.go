package bridge

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aigateway/aigateway/breaker"
	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/recorder"
)

// request is one data plane request in flight.
type request struct {
	h        *Handler
	w        http.ResponseWriter
	r        *http.Request
	provider *providers.Provider
	path     string
	cred     credential
	shape    shape
	// body is the client's request body, once read.
	body []byte
	// clientLeft is set when the client had gone by the time the relay
	// stopped reading the upstream's answer, or could not be written to.
	clientLeft bool
}

// checkProvider answers a provider that cannot take the request.
func (q *request) checkProvider() *gatewayError {
	p := q.provider
	switch {
	case !p.Enabled:
		return errUnavailable("provider " + quote(p.Name) + " is disabled")
	case p.Bedrock != nil:
		return errNotImplemented("Bedrock is not supported yet (provider " + quote(p.Name) + ")")
	case !q.cred.byok() && len(p.Keys) == 0:
		return errUnavailable("provider " + quote(p.Name) + " has no keys configured; " +
			"add one with aigateway providers keys add " + p.Name)
	}
	return nil
}

// bridge serves a bridged route: relay and record.
func (q *request) bridge(a *api) {
	body, gerr := readBody(q.r)
	if gerr != nil {
		gerr.write(q.w, q.shape)
		return
	}
	q.body = body
	req, err := a.parseRequest(body)
	if err != nil {
		errBadRequest(err.Error()).write(q.w, q.shape)
		return
	}

	ic := q.newInterception(a, req)
	q.w.Header().Set(HeaderInterceptionID, ic.ID.String())
	m := q.h.opts.Metrics
	m.inFlight(1)
	defer m.inFlight(-1)

	if gerr := q.checkProvider(); gerr != nil {
		q.fail(ic, gerr)
		return
	}
	upstreamBody, sopts, err := a.prepare(body, req)
	if err != nil {
		q.fail(ic, errBadRequest(err.Error()))
		return
	}

	done, err := q.h.opts.Breakers.Allow(q.provider.Name, a.endpoint, req.Model)
	if err != nil {
		var open *breaker.OpenError
		if errors.As(err, &open) {
			q.fail(ic, errBreakerOpen(q.provider.Name, open.RetryAfterSeconds()))
			return
		}
		q.fail(ic, errUnavailable(err.Error()))
		return
	}

	ctx, cancel, headersIn := q.upstreamContext(req.Stream)
	defer cancel(nil)

	at, gerr := q.send(ctx, upstreamBody)
	headersIn()
	if gerr != nil {
		done(breaker.NoAnswer)
		q.fail(ic, gerr)
		return
	}
	done(at.resp.StatusCode)
	ic.CredentialHint = at.hint
	status := at.resp.StatusCode
	ic.UpstreamStatus = status

	var rec intercept.Record
	var relayErr error
	if isEventStream(at.resp) && status < http.StatusBadRequest {
		rec, relayErr = q.relayStream(ctx, cancel, a, at, sopts, ic)
	} else {
		rec, relayErr = q.relayBlocking(ctx, a, at, ic)
	}
	q.finish(ctx, ic, rec, relayErr)
}

// upstreamContext bounds the upstream call: a streaming request must get
// its headers within HeaderTimeout (the relay then watches the gaps between
// reads; headersIn stops the header timer), a blocking one must end within
// BlockingTimeout. A client that goes away cancels the call.
func (q *request) upstreamContext(
	stream bool,
) (ctx context.Context, cancel context.CancelCauseFunc, headersIn func()) {
	ctx, cancelCtx := context.WithCancelCause(q.r.Context())
	limit, cause := q.h.opts.BlockingTimeout, errBlockingTimeout
	if stream {
		limit, cause = q.h.opts.HeaderTimeout, errHeaderTimeout
	}
	timer := time.AfterFunc(limit, func() { cancelCtx(cause) })

	cancel = func(c error) { timer.Stop(); cancelCtx(c) }
	headersIn = func() {
		if stream {
			timer.Stop()
		}
	}
	return ctx, cancel, headersIn
}

func isEventStream(resp *http.Response) bool {
	return strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
}

// newInterception starts the record of a bridged request.
func (q *request) newInterception(a *api, req intercept.Request) *recorder.Interception {
	id, err := uuid.NewV7()
	if err != nil {
		id = uuid.New()
	}
	kind := recorder.CredentialCentralized
	if q.cred.byok() {
		kind = recorder.CredentialBYOK
	}
	ic := &recorder.Interception{
		ID:             id,
		InitiatorID:    q.cred.initiator.UserID,
		ProviderName:   q.provider.Name,
		ProviderType:   string(q.provider.Type),
		Model:          req.Model,
		Client:         guessClient(q.r.Header.Get("User-Agent")),
		SessionID:      sessionID(q.r.Header),
		CredentialKind: kind,
		StartedAt:      q.h.opts.Now(),
	}
	if req.Prompt != "" {
		ic.Prompts = []string{req.Prompt}
	}
	return ic
}

// fail answers a request that never reached the provider and records it.
func (q *request) fail(ic *recorder.Interception, gerr *gatewayError) {
	left := q.r.Context().Err() != nil
	gerr.write(q.w, q.shape)
	ic.Status = recorder.StatusFailed
	ic.ErrorType = gerr.errorType
	ic.ErrorMessage = gerr.message
	if left {
		// The client left first: the failed call was its doing, not the
		// provider's.
		ic.Status, ic.ErrorType, ic.ErrorMessage = recorder.StatusCanceled,
			errorTypeCanceled, errClientGone
	}
	q.record(ic)
}

// errClientGone is the error message of a canceled interception.
const errClientGone = "the client went away"

// finish completes the record from what the relay saw.
func (q *request) finish(
	ctx context.Context, ic *recorder.Interception, rec intercept.Record, relayErr error,
) {
	for _, u := range rec.Usages {
		ic.TokenUsages = append(ic.TokenUsages, recorder.TokenUsage{
			Input: u.Input, Output: u.Output, CacheRead: u.CacheRead,
			CacheWrite: u.CacheWrite, Raw: u.Raw,
		})
	}
	for _, tc := range rec.ToolCalls {
		ic.ToolUsages = append(ic.ToolUsages, recorder.ToolUsage{
			Tool: tc.Name, ToolCallID: tc.ID, Input: tc.Input,
		})
	}
	ic.Thoughts = rec.Thoughts

	// An error the provider reported is what ended the request, even when
	// the client left on reading it, as clients do. A client that leaves
	// once it has the whole answer did not cancel anything either, nor one
	// that leaves on reading the error event that ends a cut stream.
	status := ic.UpstreamStatus
	switch {
	case status >= http.StatusBadRequest:
		ic.Status = recorder.StatusFailed
		ic.ErrorType = errorTypeForStatus(status)
		ic.ErrorMessage = rec.ErrorMessage
	case rec.ErrorType != "":
		ic.Status = recorder.StatusFailed
		ic.ErrorType = errorTypeForProvider(rec.ErrorType)
		ic.ErrorMessage = rec.ErrorMessage
	case q.clientLeft && (relayErr != nil || !rec.Terminal):
		ic.Status = recorder.StatusCanceled
		ic.ErrorType = errorTypeCanceled
		ic.ErrorMessage = errClientGone
	case relayErr != nil:
		ic.Status = recorder.StatusFailed
		ic.ErrorType = errorTypeServer
		if cause := context.Cause(ctx); errors.Is(cause, errIdleTimeout) ||
			errors.Is(cause, errBlockingTimeout) {
			ic.ErrorType = errorTypeTimeout
		}
		ic.ErrorMessage = relayErr.Error()
	default:
		ic.Status = recorder.StatusCompleted
	}
	q.record(ic)
}

// record ends the interception and hands it to the recorder.
func (q *request) record(ic *recorder.Interception) {
	ic.EndedAt = q.h.opts.Now()
	observe(q.r.Context(), ic)
	q.h.opts.Metrics.observe(ic)
	q.h.opts.Recorder.Record(ic)
}
