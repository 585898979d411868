package breaker

import (
	"fmt"
	"time"
)

// OpenError is returned by Set.Allow when a breaker refuses a request: it is
// open, or half-open with every probe slot taken.
type OpenError struct {
	// Provider, Endpoint and Model name the breaker.
	Provider string
	Endpoint string
	Model    string
	// HalfOpen is true when the breaker is probing and has no slot left;
	// the probes decide soon, so Wait is zero.
	HalfOpen bool
	// Wait is how long an open breaker still refuses requests before it lets
	// probes through.
	Wait time.Duration
}

// Error describes the refusal.
func (e *OpenError) Error() string {
	if e.HalfOpen {
		return fmt.Sprintf("circuit breaker for %s %s %s is probing the upstream",
			e.Provider, e.Endpoint, e.Model)
	}
	return fmt.Sprintf("circuit breaker for %s %s %s is open for another %s",
		e.Provider, e.Endpoint, e.Model, e.Wait.Round(time.Millisecond))
}

// RetryAfterSeconds returns Wait for a Retry-After header: in whole seconds,
// rounded up, and at least 1.
func (e *OpenError) RetryAfterSeconds() int {
	secs := (e.Wait + time.Second - 1) / time.Second
	return int(max(secs, 1))
}
