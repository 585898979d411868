package scaletest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kinds of error, as Report.Errors counts them. A response with a status
// other than 200 counts as "http_<status>".
const (
	// KindOverrun: a request was due while MaxInFlight were in flight, and
	// was not sent.
	KindOverrun = "overrun"
	// KindTimeout: the request took longer than Options.Timeout.
	KindTimeout = "timeout"
	// KindCanceled: the run was canceled while the request was in flight.
	KindCanceled = "canceled"
	// KindConnect: no connection could be made.
	KindConnect = "connect"
	// KindTransport: the request failed before a response arrived.
	KindTransport = "transport"
	// KindRead: the response body failed midway, such as a cut connection.
	KindRead = "read"
	// KindIncomplete: a stream ended without the API's final event.
	KindIncomplete = "incomplete"
)

// Run plays opts.Rate requests a second for opts.Warmup and then
// opts.Duration, waits for the requests in flight, and reports on those of
// the measured Duration. It returns an error only for invalid options; the
// failed requests are in the report.
func Run(ctx context.Context, opts Options) (*Report, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	body, err := opts.body()
	if err != nil {
		return nil, err
	}
	r := &runner{
		opts:     opts,
		url:      strings.TrimSuffix(opts.URL, "/") + opts.API.Path(),
		body:     body,
		header:   opts.header(),
		client:   opts.Client,
		terminal: opts.API.terminal(),
		errors:   make(map[string]int64),
	}
	if r.client == nil {
		r.client = newClient(opts.MaxInFlight)
		defer r.client.CloseIdleConnections()
	}
	r.bufs.New = func() any { b := make([]byte, 32<<10); return &b }

	stopProgress := r.progress()
	elapsed := r.schedule(ctx)
	r.wg.Wait()
	stopProgress()
	return r.report(elapsed), nil
}

// runner is one Run in progress.
type runner struct {
	opts     Options
	url      string
	body     []byte
	header   http.Header
	client   *http.Client
	terminal []byte
	bufs     sync.Pool // *[]byte
	wg       sync.WaitGroup

	inFlight  atomic.Int64
	measuring atomic.Bool
	sent      atomic.Int64 // requests sent in the measured Duration
	warmup    atomic.Int64 // requests sent in the warm-up
	ok        atomic.Int64
	failed    atomic.Int64

	mu         sync.Mutex
	latencies  []time.Duration
	firstBytes []time.Duration
	errors     map[string]int64
}

// schedule starts the requests at their due times, open loop, and returns
// how long the measured Duration lasted.
func (r *runner) schedule(ctx context.Context) time.Duration {
	start := time.Now()
	warmEnd := start.Add(r.opts.Warmup)
	end := warmEnd.Add(r.opts.Duration)
	interval := float64(time.Second) / r.opts.Rate
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()

	var measureStart time.Time
	for i := 0; ; i++ {
		due := start.Add(time.Duration(float64(i) * interval))
		if !due.Before(end) {
			break
		}
		// A request that is late is sent at once: the schedule does not
		// slow down when the server does.
		if d := time.Until(due); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return time.Since(measureStart)
			}
		}

		measured := !due.Before(warmEnd)
		if measured && measureStart.IsZero() {
			measureStart = time.Now()
			r.measuring.Store(true)
			if r.opts.OnMeasure != nil {
				r.opts.OnMeasure()
			}
		}
		if r.inFlight.Load() >= int64(r.opts.MaxInFlight) {
			if measured {
				r.fail(KindOverrun)
			}
			continue
		}
		if measured {
			r.sent.Add(1)
		} else {
			r.warmup.Add(1)
		}
		r.inFlight.Add(1)
		r.wg.Add(1)
		go r.one(ctx, measured)
	}
	return min(time.Since(measureStart), r.opts.Duration)
}

// one sends one request and measures it.
func (r *runner) one(ctx context.Context, measured bool) {
	defer r.wg.Done()
	defer r.inFlight.Add(-1)
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()

	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(r.body))
	if err != nil {
		panic("scaletest: a checked URL did not make a request: " + err.Error())
	}
	req.Header = r.header
	resp, err := r.client.Do(req)
	if err != nil {
		r.result(measured, errorKind(err, KindTransport), 0, 0)
		return
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		r.result(measured, "http_"+strconv.Itoa(resp.StatusCode), 0, 0)
		return
	}
	firstByte, complete, err := r.read(resp.Body, start)
	switch {
	case err != nil:
		r.result(measured, errorKind(err, KindRead), 0, 0)
	case r.opts.Stream && !complete:
		r.result(measured, KindIncomplete, 0, 0)
	default:
		r.result(measured, "", time.Since(start), firstByte)
	}
}

// read reads a response body to its end. It returns when the first byte
// came, and whether the API's final event was seen.
func (r *runner) read(body io.Reader, start time.Time) (time.Duration, bool, error) {
	bp := r.bufs.Get().(*[]byte)
	defer r.bufs.Put(bp)
	buf := *bp

	var firstByte time.Duration
	f := finder{pattern: r.terminal}
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if firstByte == 0 {
				firstByte = time.Since(start)
			}
			f.scan(buf[:n])
		}
		if errors.Is(err, io.EOF) {
			return firstByte, f.found, nil
		}
		if err != nil {
			return firstByte, f.found, err
		}
	}
}

// result records the end of a request: a failure of kind, or a success.
func (r *runner) result(measured bool, kind string, latency, firstByte time.Duration) {
	if !measured {
		return
	}
	if kind != "" {
		r.fail(kind)
		return
	}
	r.ok.Add(1)
	r.mu.Lock()
	r.latencies = append(r.latencies, latency)
	r.firstBytes = append(r.firstBytes, firstByte)
	r.mu.Unlock()
}

func (r *runner) fail(kind string) {
	r.failed.Add(1)
	r.mu.Lock()
	r.errors[kind]++
	r.mu.Unlock()
}

// errorKind names the kind of a failed round trip or read.
func errorKind(err error, otherwise string) string {
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.As(err, &op) && op.Op == "dial":
		return KindConnect
	}
	return otherwise
}

// progress prints a line every second until the returned func is called.
func (r *runner) progress() (stop func()) {
	if r.opts.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		start := time.Now()
		var lastSent int64
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			phase := "warm-up"
			sent := r.warmup.Load()
			if r.measuring.Load() {
				phase = "measure"
				sent = r.sent.Load()
			}
			fmt.Fprintf(r.opts.Progress,
				"[%3.0fs] %s  sent %d (%d/s)  ok %d  errors %d  in flight %d\n",
				time.Since(start).Seconds(), phase, sent, max(sent-lastSent, 0),
				r.ok.Load(), r.failed.Load(), r.inFlight.Load())
			lastSent = sent
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// finder looks for a pattern in a stream read in pieces, including across
// the boundary of two pieces.
type finder struct {
	pattern []byte
	tail    []byte // the last len(pattern)-1 bytes seen
	found   bool
}

func (f *finder) scan(p []byte) {
	if f.found || len(f.pattern) == 0 {
		return
	}
	keep := len(f.pattern) - 1
	if len(f.tail) > 0 {
		joined := append(f.tail, p[:min(len(p), keep)]...)
		if bytes.Contains(joined, f.pattern) {
			f.found = true
			return
		}
	}
	if bytes.Contains(p, f.pattern) {
		f.found = true
		return
	}
	if len(p) >= keep {
		f.tail = append(f.tail[:0], p[len(p)-keep:]...)
		return
	}
	f.tail = append(f.tail, p...)
	if len(f.tail) > keep {
		f.tail = f.tail[len(f.tail)-keep:]
	}
}
