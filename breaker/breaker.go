// Package breaker guards upstream providers with circuit breakers, one per
// provider, endpoint and model, so that an overloaded upstream gets a rest
// instead of more requests.
//
// Only overload answers count as failures: 503 Service Unavailable and 529
// (Anthropic's "overloaded"). A run of Options.FailureThreshold of them opens
// the breaker: requests are refused with an *OpenError for Options.Timeout.
// Then Options.MaxRequests probes go through; if they all succeed the breaker
// closes, and if one is overloaded it opens again.
//
// Everything else is excluded: it neither counts as a failure nor resets the
// run of failures. A 429 is about one key's rate limit, which the key pool
// handles; other 4xx are about the request; other 5xx (500, 502, 504) say the
// upstream or a proxy in front of it broke on one request, not that it asks
// for less traffic; and a call that ended without an answer may be the
// client's doing. Answers below 400 are successes and reset the run.
//
// A call through a Set:
//
//	done, err := set.Allow(provider, endpoint, model)
//	if err != nil {
//		var open *breaker.OpenError
//		errors.As(err, &open) // answer 503 with Retry-After: open.RetryAfterSeconds()
//		return err
//	}
//	resp, err := send(ctx)
//	if err != nil {
//		done(breaker.NoAnswer)
//		return err
//	}
//	done(resp.StatusCode)
package breaker

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"
)

// The defaults of Options.
const (
	DefaultFailureThreshold = 5
	DefaultInterval         = 10 * time.Second
	DefaultTimeout          = 30 * time.Second
	DefaultMaxRequests      = 3
)

// NoAnswer is the status to report when a call ended without an answer:
// network error, timeout or cancelled request. It is excluded, like a 4xx.
const NoAnswer = 0

// StatusOverloaded is Anthropic's 529: the upstream is overloaded.
const StatusOverloaded = 529

// Options tunes a Set. A zero field takes its default.
type Options struct {
	// Disabled turns every breaker off: Allow lets every request through and
	// its done does nothing. Default false, so breakers are on.
	Disabled bool
	// FailureThreshold is how many overload answers in a row open a
	// breaker. Default 5.
	FailureThreshold uint32
	// Interval is the closed state's counting window: the run of failures
	// starts over every Interval. Default 10 s.
	Interval time.Duration
	// Timeout is how long an open breaker refuses requests before it lets
	// probes through. Default 30 s.
	Timeout time.Duration
	// MaxRequests is how many probes a half-open breaker lets through, all of
	// which must succeed for it to close. Default 3.
	MaxRequests uint32
	// Metrics, when not nil, receives the breakers' metrics. Default none.
	Metrics *Metrics
}

func (o Options) withDefaults() Options {
	if o.FailureThreshold == 0 {
		o.FailureThreshold = DefaultFailureThreshold
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRequests == 0 {
		o.MaxRequests = DefaultMaxRequests
	}
	return o
}

// Set holds one breaker per provider, endpoint and model, created on first
// use. It is safe for concurrent use.
type Set struct {
	opts     Options
	breakers sync.Map // target → *circuit
}

// target names what one breaker guards.
type target struct {
	provider, endpoint, model string
}

// circuit is one breaker and what the Set keeps beside it.
type circuit struct {
	target  target
	cb      *gobreaker.TwoStepCircuitBreaker[struct{}]
	timeout time.Duration

	// openedAt is when the breaker last opened, in Unix nanoseconds; the
	// time left before probes is read from it.
	openedAt atomic.Int64

	state prometheus.Gauge   // nil without metrics
	trips prometheus.Counter // nil without metrics
}

// New returns a Set with default Options.
func New() *Set {
	return NewWithOptions(Options{})
}

// NewWithOptions returns a Set tuned by opts.
func NewWithOptions(opts Options) *Set {
	return &Set{opts: opts.withDefaults()}
}

// The outcomes a done func hands to gobreaker. A nil error is a success.
var (
	errOverloaded = errors.New("upstream overloaded")
	errExcluded   = errors.New("answer not counted")
)

// Allow asks the breaker for provider, endpoint and model whether a request
// may go upstream. When it may, call done exactly once with the upstream's
// status, or with NoAnswer; a half-open breaker holds a probe slot until
// then. When it may not, err is an *OpenError and done is nil.
func (s *Set) Allow(provider, endpoint, model string) (done func(status int), err error) {
	if s.opts.Disabled {
		return noop, nil
	}

	c := s.circuit(target{provider: provider, endpoint: endpoint, model: model})
	report, err := c.cb.Allow()
	if err != nil {
		return nil, c.openError(err)
	}
	return func(status int) { report(outcome(status)) }, nil
}

func noop(int) {}

// outcome maps an upstream status to what the breaker counts.
func outcome(status int) error {
	switch {
	case status == 503 || status == StatusOverloaded:
		return errOverloaded
	case status >= 100 && status < 400:
		return nil
	default:
		return errExcluded
	}
}

// circuit returns the breaker for t, creating it on first use.
func (s *Set) circuit(t target) *circuit {
	if c, ok := s.breakers.Load(t); ok {
		return c.(*circuit)
	}

	c := &circuit{target: t, timeout: s.opts.Timeout}
	if m := s.opts.Metrics; m != nil {
		c.state = m.state.WithLabelValues(t.provider, t.endpoint, t.model)
		c.trips = m.trips.WithLabelValues(t.provider, t.endpoint, t.model)
	}
	threshold := s.opts.FailureThreshold
	c.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        t.provider + "/" + t.endpoint + "/" + t.model,
		MaxRequests: s.opts.MaxRequests,
		Interval:    s.opts.Interval,
		Timeout:     s.opts.Timeout,
		ReadyToTrip: func(counts gobreaker.Counts) bool {
			return counts.ConsecutiveFailures >= threshold
		},
		OnStateChange: c.onStateChange,
		IsExcluded:    func(err error) bool { return errors.Is(err, errExcluded) },
	})

	// Another goroutine may have created the same breaker meanwhile; the
	// loser's breaker was never used and is dropped.
	actual, loaded := s.breakers.LoadOrStore(t, c)
	if !loaded && c.state != nil {
		c.state.Set(float64(gobreaker.StateClosed))
	}
	return actual.(*circuit)
}

// onStateChange runs inside gobreaker, under its lock, on every transition.
func (c *circuit) onStateChange(_ string, _, to gobreaker.State) {
	if to == gobreaker.StateOpen {
		c.openedAt.Store(time.Now().UnixNano())
		if c.trips != nil {
			c.trips.Inc()
		}
	}
	if c.state != nil {
		c.state.Set(float64(to))
	}
}

// openError turns gobreaker's refusal into an *OpenError.
func (c *circuit) openError(err error) *OpenError {
	e := &OpenError{
		Provider: c.target.provider,
		Endpoint: c.target.endpoint,
		Model:    c.target.model,
	}
	if errors.Is(err, gobreaker.ErrTooManyRequests) {
		e.HalfOpen = true
		return e
	}

	opened := time.Unix(0, c.openedAt.Load())
	e.Wait = max(time.Until(opened.Add(c.timeout)), 0)
	return e
}
