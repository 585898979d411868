package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/recorder"
	"github.com/aigateway/aigateway/sse"
)

// maxResponseBytes bounds a blocking response body the gateway buffers.
const maxResponseBytes = 64 << 20

// errTruncated means that a stream ended without the provider's terminal
// event.
var errTruncated = errors.New("the upstream stream ended before its final event")

// relayBlocking relays a complete response: status, headers and body, with
// any echo of the key scrubbed, and parses a copy.
func (q *request) relayBlocking(
	ctx context.Context, a *api, at attempt, ic *recorder.Interception,
) (intercept.Record, error) {
	defer at.resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(at.resp.Body, maxResponseBytes))
	q.clientLeft = q.r.Context().Err() != nil
	if err != nil {
		timeout := errors.Is(context.Cause(ctx), errBlockingTimeout)
		gerr := errUpstreamUnreachable(q.provider.Name, timeout)
		gerr.write(q.w, q.shape)
		return intercept.Record{}, fmt.Errorf("read upstream body: %w", err)
	}
	body = scrub(body, at.secret)

	// The client gets its answer first, flushed now rather than when the
	// handler returns; parsing and recording come after.
	h := q.w.Header()
	copyResponseHeader(h, at.resp.Header, at.secret)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	q.w.WriteHeader(at.resp.StatusCode)
	_, werr := q.w.Write(body)
	if werr == nil {
		werr = http.NewResponseController(q.w).Flush()
	}
	q.clientLeft = q.clientLeft || werr != nil
	q.h.opts.Metrics.firstByte(q.provider.Name, time.Since(ic.StartedAt))

	var rec intercept.Record
	if at.resp.StatusCode < http.StatusBadRequest {
		rec, err = a.parseBlocking(body)
		if err != nil {
			q.h.opts.Logger.Warn("parse upstream body", "provider", q.provider.Name,
				"interception_id", ic.ID, "error", err)
		}
	} else {
		rec.ErrorMessage = errorMessage(body)
	}
	q.dump(ic, at, body)
	return rec, werr
}

// relayStream relays a response stream event by event, each flushed as soon
// as it is complete, and parses a copy. A stream that ends without the
// provider's terminal event gets an error event in the provider's format,
// so that no client takes a truncated answer for a complete one.
func (q *request) relayStream(
	ctx context.Context, cancel context.CancelCauseFunc, a *api, at attempt,
	sopts streamOptions, ic *recorder.Interception,
) (intercept.Record, error) {
	defer at.resp.Body.Close()

	h := q.w.Header()
	copyResponseHeader(h, at.resp.Header, at.secret)
	q.w.WriteHeader(at.resp.StatusCode)
	// Events are written as they complete and flushed together just before
	// the relay waits on the upstream again: no complete event ever waits
	// in a buffer, and a burst of events costs one flush, not one each.
	out := &eventWriter{w: q.w, rc: http.NewResponseController(q.w), pending: true}
	_ = out.flush()
	q.h.opts.Metrics.firstByte(q.provider.Name, time.Since(ic.StartedAt))

	body := newIdleReader(at.resp.Body, q.h.opts.IdleTimeout, func() {
		cancel(errIdleTimeout)
	})
	defer body.stop()

	var dump *bytes.Buffer
	if q.h.opts.DumpDir != "" {
		dump = new(bytes.Buffer)
	}
	parser := a.newStream(sopts)
	sc := sse.NewScanner(flushBeforeRead{r: body, out: out})
	defer sc.Release()
	secret := []byte(at.secret)
	var readErr, writeErr error
	// cut holds a last block that the stream ended before its blank line.
	var cut []byte
	for {
		ev, err := sc.Next()
		if len(ev.Raw) > 0 {
			drop := parser.Event(ev)
			raw := scrubBytes(ev.Raw, secret, at.secret)
			if dump != nil {
				dump.Write(raw)
			}
			switch {
			case drop || writeErr != nil:
			case ev.Partial:
				cut = append([]byte(nil), raw...)
			default:
				writeErr = out.write(raw)
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
	}
	if writeErr == nil {
		writeErr = out.flush()
	}
	q.clientLeft = q.r.Context().Err() != nil || writeErr != nil

	// The parser read the events before they were scrubbed; an error
	// message that echoes the key must not be recorded with it.
	rec := parser.Record()
	rec.ErrorMessage = scrubString(rec.ErrorMessage, at.secret)
	var relayErr error
	switch {
	case writeErr != nil:
		relayErr = fmt.Errorf("write to client: %w", writeErr)
	case !rec.Terminal:
		relayErr = errTruncated
		if readErr != nil {
			relayErr = fmt.Errorf("%w: %w", errTruncated, streamCause(ctx, readErr))
		}
		// A cut block is left out: SSE clients discard a block that no
		// blank line ended, and ending it here would make them parse half
		// an event instead of the error event. A stream that ended on the
		// provider's own error event tells the client already.
		if rec.ErrorType == "" {
			_ = out.writeFlush(a.errorEvent(relayErr.Error()))
		}
	case cut != nil:
		// The stream is complete; its last block only lacks the blank
		// line, and goes to the client as the upstream sent it.
		_ = out.writeFlush(cut)
	}
	q.dump(ic, at, dumpBytes(dump))
	return rec, relayErr
}

// eventWriter writes events to the client and flushes them on demand.
type eventWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	pending bool
	err     error
}

func (e *eventWriter) write(b []byte) error {
	if e.err != nil {
		return e.err
	}
	_, e.err = e.w.Write(b)
	e.pending = e.err == nil
	return e.err
}

// writeFlush writes b and flushes at once, for the gateway's own last event.
func (e *eventWriter) writeFlush(b []byte) error {
	if err := e.write(b); err != nil {
		return err
	}
	return e.flush()
}

func (e *eventWriter) flush() error {
	if e.pending && e.err == nil {
		e.pending = false
		e.err = e.rc.Flush()
	}
	return e.err
}

// flushBeforeRead flushes what the relay wrote before each read of the
// upstream, that is, whenever the relay is about to wait.
type flushBeforeRead struct {
	r   io.Reader
	out *eventWriter
}

// Read flushes, then reads. A failed flush is the relay's to report; the
// read goes on so that the upstream's answer is still parsed.
func (f flushBeforeRead) Read(p []byte) (int, error) {
	_ = f.out.flush()
	return f.r.Read(p)
}

// streamCause prefers a timeout cause over the read error it provoked.
func streamCause(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

func dumpBytes(b *bytes.Buffer) []byte {
	if b == nil {
		return nil
	}
	return b.Bytes()
}

// idleReader calls onIdle when no read has returned for longer than d.
// A read only stores the time; the timer, when it fires, checks that time
// and sets itself again for the rest of the window, so that a busy stream
// costs one atomic store per read rather than a timer reset.
type idleReader struct {
	r       io.Reader
	d       time.Duration
	last    atomic.Int64 // unix nanoseconds of the last read's return
	stopped atomic.Bool
	timer   *time.Timer
	onIdle  func()
}

func newIdleReader(r io.Reader, d time.Duration, onIdle func()) *idleReader {
	i := &idleReader{r: r, d: d, onIdle: onIdle}
	i.last.Store(time.Now().UnixNano())
	i.timer = time.AfterFunc(d, i.check)
	return i
}

// Read reads from the underlying reader and notes when it returned.
func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	i.last.Store(time.Now().UnixNano())
	return n, err
}

func (i *idleReader) check() {
	if i.stopped.Load() {
		return
	}
	quiet := time.Since(time.Unix(0, i.last.Load()))
	if quiet >= i.d {
		i.onIdle()
		return
	}
	i.timer.Reset(i.d - quiet)
}

func (i *idleReader) stop() {
	i.stopped.Store(true)
	i.timer.Stop()
}
