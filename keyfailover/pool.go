package keyfailover

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// MaxKeys is the most keys one pool holds.
const MaxKeys = 5

// The defaults of Options.
const (
	DefaultCooldown      = time.Minute
	DefaultQuotaCooldown = time.Hour
	DefaultMaxCooldown   = time.Hour
	DefaultProbeInterval = 15 * time.Minute
)

// Options tunes a Pool. A zero field takes its default.
type Options struct {
	// Cooldown is how long a rate-limited key rests when the upstream names
	// no wait. Default 60 s.
	Cooldown time.Duration
	// QuotaCooldown is the least a key with an exhausted quota rests; a
	// longer named wait wins. Default 1 h.
	QuotaCooldown time.Duration
	// MaxCooldown caps every cooldown, named or not. Default 1 h.
	MaxCooldown time.Duration
	// ProbeInterval is how long a permanent key stays out of rotation before
	// one request may try it again. Default 15 min.
	ProbeInterval time.Duration
	// Now reads the clock. Default time.Now; tests pass a fake clock.
	Now func() time.Time
	// Metrics, when not nil, receives the pool's metrics under its provider
	// name. Default none.
	Metrics *Metrics
}

func (o Options) withDefaults() Options {
	if o.Cooldown <= 0 {
		o.Cooldown = DefaultCooldown
	}
	if o.QuotaCooldown <= 0 {
		o.QuotaCooldown = DefaultQuotaCooldown
	}
	if o.MaxCooldown <= 0 {
		o.MaxCooldown = DefaultMaxCooldown
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = DefaultProbeInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Pool holds one provider's keys and their states. It is safe for concurrent
// use; each upstream call walks it with its own Walker.
type Pool struct {
	provider string
	opts     Options
	keys     atomic.Pointer[keySet]

	// failovers is the provider's histogram, resolved once; nil without
	// metrics.
	failovers prometheus.Observer

	// mu serializes Update and the refresh of the key gauges. The walk
	// never takes it.
	mu sync.Mutex
}

// keySet is an immutable list of keys in configured order. Update swaps in a
// new one; entries of keys still configured carry over.
type keySet struct {
	entries []*entry
}

// New returns a pool for the provider's keys with default Options.
func New(provider string, keys []string) (*Pool, error) {
	return NewWithOptions(provider, keys, Options{})
}

// NewWithOptions returns a pool for the provider's keys. Keys are tried in the
// order given; there may be none, in which case every walk ends in ErrNoKeys.
// It fails when there are more than MaxKeys keys, an empty key or a
// duplicate.
func NewWithOptions(provider string, keys []string, opts Options) (*Pool, error) {
	if err := checkKeys(keys); err != nil {
		return nil, err
	}

	p := &Pool{provider: provider, opts: opts.withDefaults()}
	if m := p.opts.Metrics; m != nil {
		p.failovers = m.failovers.WithLabelValues(provider)
	}

	now := p.opts.Now()
	entries := make([]*entry, len(keys))
	for i, k := range keys {
		entries[i] = newEntry(k, now)
	}
	p.keys.Store(&keySet{entries: entries})

	p.mu.Lock()
	p.refreshGaugesLocked()
	p.mu.Unlock()
	return p, nil
}

func newEntry(key string, now time.Time) *entry {
	e := &entry{value: key, hint: Mask(key)}
	e.status.Store(&status{state: StateValid, since: now})
	return e
}

func checkKeys(keys []string) error {
	if len(keys) > MaxKeys {
		return fmt.Errorf("%d keys configured, at most %d allowed", len(keys), MaxKeys)
	}

	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		if k == "" {
			return fmt.Errorf("key %d is empty", i+1)
		}
		if seen[k] {
			return fmt.Errorf("key %d (%s) is configured twice", i+1, Mask(k))
		}
		seen[k] = true
	}
	return nil
}

// Provider returns the provider name the pool was created with.
func (p *Pool) Provider() string {
	return p.provider
}

// Update replaces the pool's keys when the provider is reloaded. A key still
// configured keeps its state; an added or changed key starts valid; the order
// follows keys. Walks already under way finish over the keys they started
// with. Update fails, changing nothing, on the same keys NewWithOptions
// rejects.
func (p *Pool) Update(keys []string) error {
	if err := checkKeys(keys); err != nil {
		return err
	}

	p.mu.Lock()
	defer p.mu.Unlock()

	current := make(map[string]*entry, MaxKeys)
	for _, e := range p.keys.Load().entries {
		current[e.value] = e
	}

	now := p.opts.Now()
	entries := make([]*entry, len(keys))
	for i, k := range keys {
		if e, ok := current[k]; ok {
			entries[i] = e
		} else {
			entries[i] = newEntry(k, now)
		}
	}
	p.keys.Store(&keySet{entries: entries})

	p.refreshGaugesLocked()
	return nil
}

// KeyState is one key as the control plane sees it.
type KeyState struct {
	// Hint is the masked key; see Mask.
	Hint string
	// State is valid, temporary or permanent.
	State State
	// Reason says why a temporary or permanent key was marked.
	Reason Reason
	// Since is when the key entered its state. A key marked permanent again
	// after a failed probe counts from the probe.
	Since time.Time
	// Until is the end of a temporary key's cooldown, or when a permanent key
	// may next be probed; zero for a valid key.
	Until time.Time
	// Probing is true while one request tries a permanent key again.
	Probing bool
}

// States returns a snapshot of the keys in configured order. The key values
// themselves never appear in it.
func (p *Pool) States() []KeyState {
	now := p.opts.Now()
	entries := p.keys.Load().entries

	out := make([]KeyState, len(entries))
	for i, e := range entries {
		st := p.current(e, now)
		out[i] = KeyState{
			Hint:    e.hint,
			State:   st.state,
			Reason:  st.reason,
			Since:   st.since,
			Until:   st.until,
			Probing: st.probing,
		}
	}
	return out
}

// Mask returns a hint of key safe to log and show: its first and last four
// characters for a key of at least 20 characters, else eight stars, so that a
// short key is not half revealed.
func Mask(key string) string {
	r := []rune(key)
	if len(r) < 20 {
		return "********"
	}
	return string(r[:4]) + "..." + string(r[len(r)-4:])
}

// current returns the key's status at now, first returning a temporary key
// whose cooldown has ended to valid.
func (p *Pool) current(e *entry, now time.Time) *status {
	for {
		st := e.status.Load()
		if st.state != StateTemporary || now.Before(st.until) {
			return st
		}

		valid := &status{state: StateValid, since: st.until}
		if p.transition(e, st, valid, labelCooldownEnded) {
			return valid
		}
	}
}

// transition swaps the key's status from old to next and records it under
// label, which may be empty to record nothing. It reports false when another
// caller changed the status first.
func (p *Pool) transition(e *entry, old, next *status, label string) bool {
	if !e.status.CompareAndSwap(old, next) {
		return false
	}

	if m := p.opts.Metrics; m != nil {
		if label != "" {
			m.transitions.WithLabelValues(p.provider, label).Inc()
		}
		p.mu.Lock()
		p.refreshGaugesLocked()
		p.mu.Unlock()
	}
	return true
}

// refreshGaugesLocked recounts the keys by state. The caller holds p.mu,
// which makes the last refresh after any number of racing transitions see
// all of them.
func (p *Pool) refreshGaugesLocked() {
	m := p.opts.Metrics
	if m == nil {
		return
	}

	var counts [stateCount]int
	for _, e := range p.keys.Load().entries {
		counts[e.status.Load().state]++
	}
	for s, n := range counts {
		m.keys.WithLabelValues(p.provider, State(s).String()).Set(float64(n))
	}
}

// cooldown turns a temporary verdict into how long the key rests.
func (p *Pool) cooldown(v Verdict) time.Duration {
	d := v.Wait
	switch {
	case v.Reason == ReasonQuota:
		d = max(d, p.opts.QuotaCooldown)
	case d <= 0:
		d = p.opts.Cooldown
	}
	return min(d, p.opts.MaxCooldown)
}
