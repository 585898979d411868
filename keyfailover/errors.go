package keyfailover

import (
	"errors"
	"fmt"
	"time"
)

// ErrNoKeys is returned by Walker.Next when the pool has no keys at all.
var ErrNoKeys = errors.New("no keys configured")

// ErrWalkDone is returned by Walker.Next after the walk has ended.
var ErrWalkDone = errors.New("key walk is over")

// TransientExhaustionError is returned by Walker.Next when no key is left but
// at least one is cooling down: the caller may try again later.
type TransientExhaustionError struct {
	// Provider is the pool's provider name.
	Provider string
	// Until is when the first cooldown ends.
	Until time.Time
	// Wait is how long that was from when the walk ran out of keys.
	Wait time.Duration
}

// Error describes the exhaustion without naming any key.
func (e *TransientExhaustionError) Error() string {
	return fmt.Sprintf("every key of provider %q is unavailable, the first returns in %s",
		e.Provider, e.Wait.Round(time.Millisecond))
}

// RetryAfterSeconds returns Wait for a Retry-After header: in whole seconds,
// rounded up, and at least 1.
func (e *TransientExhaustionError) RetryAfterSeconds() int {
	secs := (e.Wait + time.Second - 1) / time.Second
	return int(max(secs, 1))
}

// PermanentExhaustionError is returned by Walker.Next when every configured
// key was rejected by the upstream and is out of rotation.
type PermanentExhaustionError struct {
	// Provider is the pool's provider name.
	Provider string
	// Keys is how many keys the walk went over.
	Keys int
}

// Error describes the exhaustion without naming any key.
func (e *PermanentExhaustionError) Error() string {
	return fmt.Sprintf("all %d keys of provider %q were rejected by the upstream",
		e.Keys, e.Provider)
}
