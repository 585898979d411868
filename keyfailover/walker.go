package keyfailover

import "time"

// Key is one key handed out by a Walker. The zero Key holds no key.
type Key struct {
	e *entry
}

// Value returns the key itself, to send upstream. Never log it; log Hint.
func (k Key) Value() string {
	if k.e == nil {
		return ""
	}
	return k.e.value
}

// Hint returns the masked key; see Mask.
func (k Key) Hint() string {
	if k.e == nil {
		return ""
	}
	return k.e.hint
}

// Walker hands out a pool's keys to one upstream call, in configured order,
// skipping keys that are cooling down or out of rotation. A Walker belongs to
// one goroutine; take a new one from Pool.Walk for every call.
//
// The walk ends on a Success verdict, on a verdict without Failover, or when
// no key is left. A Walker may be dropped at any point; a probe it held lapses
// after Options.ProbeInterval, so report a zero Verdict for a call that ended
// without an answer to release it at once.
type Walker struct {
	pool    *Pool
	entries []*entry
	next    int

	// current is the key last handed out and not yet reported, and claim
	// the status by which this walker holds its probe, when it does.
	current *entry
	claim   *status

	failovers int
	done      bool
}

// Walk starts a walk over the pool's current keys. A later Update does not
// change the keys this walk visits, but state carries over for keys kept.
func (p *Pool) Walk() *Walker {
	return &Walker{pool: p, entries: p.keys.Load().entries}
}

// Next returns the next usable key: a valid key, a temporary key whose
// cooldown has ended, or a permanent key due a probe that no other walk is
// probing. Call Report with the key once the upstream has answered.
//
// When no key is left it returns a *TransientExhaustionError if any key is
// cooling down (or came back while this walk went by), a
// *PermanentExhaustionError if every key is out of rotation, or ErrNoKeys if
// the pool has no keys. After the walk ended it returns ErrWalkDone. A key
// handed out and not reported when Next is called again counts as a
// failover without a mark.
func (w *Walker) Next() (Key, error) {
	if w.done {
		return Key{}, ErrWalkDone
	}
	if w.current != nil {
		w.Report(Key{e: w.current}, Verdict{Failover: true})
	}

	for w.next < len(w.entries) {
		e := w.entries[w.next]
		w.next++

		// The common case: one atomic load and no clock read.
		st := e.status.Load()
		if st.state == StateValid {
			w.current = e
			return Key{e: e}, nil
		}

		if claim, ok := w.pool.usable(e, w.pool.opts.Now()); ok {
			w.current, w.claim = e, claim
			return Key{e: e}, nil
		}
	}
	return Key{}, w.exhausted()
}

// Report records what the upstream answered to k, which must be the key
// Next returned last; Report ignores any other key, and a key reported once
// already. A verdict with a Reason marks the key. Success, or a verdict
// without Failover, ends the walk; otherwise call Next for the next key.
//
// For a key handed out as a probe, Success returns it to valid, a Reason marks
// it again (restarting the probe interval for a permanent mark), and a
// verdict without a Reason leaves it due for the next walk's probe.
func (w *Walker) Report(k Key, v Verdict) {
	if w.done || k.e == nil || k.e != w.current {
		return
	}
	e, claim := w.current, w.claim
	w.current, w.claim = nil, nil

	p := w.pool
	switch {
	case v.Success:
		if claim != nil {
			valid := &status{state: StateValid, since: p.opts.Now()}
			p.transition(e, claim, valid, labelProbeSucceeded)
		}
	case v.Reason != ReasonNone:
		p.mark(e, claim, v)
	case claim != nil:
		p.release(e, claim)
	}

	if v.Failover && !v.Success {
		w.failovers++
		return
	}
	w.finish()
}

func (w *Walker) finish() {
	w.done = true
	if w.pool.failovers != nil {
		w.pool.failovers.Observe(float64(w.failovers))
	}
}

// exhausted ends the walk and says why no key was left.
func (w *Walker) exhausted() error {
	p := w.pool
	if len(w.entries) == 0 {
		w.done = true
		p.opts.Metrics.exhausted(p.provider, outcomeNoKeys)
		return ErrNoKeys
	}
	w.finish()

	// A key that is valid again came back after this walk went by it; it
	// counts as a cooldown that has just ended.
	now := p.opts.Now()
	var soonest time.Time
	cooling := false
	for _, e := range w.entries {
		st := p.current(e, now)
		if st.state == StatePermanent {
			continue
		}

		until := now
		if st.state == StateTemporary {
			until = st.until
		}
		if !cooling || until.Before(soonest) {
			soonest, cooling = until, true
		}
	}

	if !cooling {
		p.opts.Metrics.exhausted(p.provider, outcomePermanent)
		return &PermanentExhaustionError{Provider: p.provider, Keys: len(w.entries)}
	}
	p.opts.Metrics.exhausted(p.provider, outcomeTransient)
	return &TransientExhaustionError{
		Provider: p.provider,
		Until:    soonest,
		Wait:     soonest.Sub(now),
	}
}

// usable reports whether a key that was not valid at first sight may be
// handed out now. For a permanent key due a probe it claims the probe, and
// returns the claim; exactly one walker wins it.
func (p *Pool) usable(e *entry, now time.Time) (claim *status, ok bool) {
	for {
		st := p.current(e, now)
		if st.state == StateValid {
			return nil, true
		}
		if st.state == StateTemporary || now.Before(st.until) {
			return nil, false
		}

		// The claim pushes the next probe a whole interval out, so that a
		// walker that never reports cannot keep the key out for good.
		claim := &status{
			state:   StatePermanent,
			reason:  st.reason,
			since:   st.since,
			until:   now.Add(p.opts.ProbeInterval),
			probing: true,
		}
		if e.status.CompareAndSwap(st, claim) {
			return claim, true
		}
	}
}

// mark applies a verdict's Reason to a key. A walker holding the key's probe
// always replaces the status; any other walker only moves a key further out
// of rotation: valid to temporary or permanent, temporary to a later
// cooldown or to permanent. A permanent key stays as it is.
func (p *Pool) mark(e *entry, claim *status, v Verdict) {
	now := p.opts.Now()
	next := &status{state: StateTemporary, reason: v.Reason, since: now}
	if v.Reason.Permanent() {
		next.state = StatePermanent
		next.until = now.Add(p.opts.ProbeInterval)
	} else {
		next.until = now.Add(p.cooldown(v))
	}

	for {
		cur := e.status.Load()
		if cur != claim {
			switch cur.state {
			case StatePermanent:
				return
			case StateTemporary:
				if next.state == StateTemporary && !next.until.After(cur.until) {
					return
				}
			}
		}

		// A longer cooldown of the same kind is no transition: it keeps
		// its start and goes unrecorded.
		label := string(v.Reason)
		if cur.state == next.state && cur.reason == next.reason && !cur.probing {
			extended := *next
			extended.since = cur.since
			next, label = &extended, ""
		}
		if p.transition(e, cur, next, label) {
			return
		}
	}
}

// release gives up a probe that learned nothing about the key, leaving the
// key due for the next walk's probe.
func (p *Pool) release(e *entry, claim *status) {
	due := &status{
		state:  StatePermanent,
		reason: claim.reason,
		since:  claim.since,
		until:  p.opts.Now(),
	}
	e.status.CompareAndSwap(claim, due)
}
