package keyfailover

import (
	"fmt"
	"sync/atomic"
	"time"
)

// State is where a key stands in its pool.
type State uint8

// The states of a key.
const (
	// StateValid keys are tried in turn.
	StateValid State = iota
	// StateTemporary keys are cooling down until a time, after a rate limit
	// or an exhausted quota.
	StateTemporary
	// StatePermanent keys were rejected by the upstream and stay out of
	// rotation, but for one probe every Options.ProbeInterval.
	StatePermanent

	stateCount = iota
)

// String returns the state's name, as used in metric labels: valid, temporary
// or permanent.
func (s State) String() string {
	switch s {
	case StateValid:
		return "valid"
	case StateTemporary:
		return "temporary"
	case StatePermanent:
		return "permanent"
	default:
		return fmt.Sprintf("state(%d)", uint8(s))
	}
}

// The transition labels that are not a Reason: a key returns to valid.
const (
	labelCooldownEnded  = "cooldown_ended"
	labelProbeSucceeded = "probe_succeeded"
)

// entry is one key. Its status pointer changes only by compare-and-swap, and
// a status is never modified once published, so that the walk reads a key's
// state with one atomic load.
type entry struct {
	value  string
	hint   string
	status atomic.Pointer[status]
}

// status is a key's state at one moment. For a temporary key until is the
// end of its cooldown; for a permanent key it is when the next probe may
// start, and, while probing, when the current probe's claim lapses.
type status struct {
	state   State
	reason  Reason
	since   time.Time
	until   time.Time
	probing bool
}
