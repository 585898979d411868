package recorder

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// errDuplicate rejects an interception whose id another one in the same
// batch already has.
var errDuplicate = fmt.Errorf("%w: id repeated in one batch", ErrInvalid)

// run is the writer. It writes the queue batch by batch until Close was
// called and the queue is empty, or until ctx ends.
func (r *Recorder) run(ctx context.Context) {
	defer close(r.done)

	batch := make([]*Interception, 0, r.opts.BatchSize)
	timer := time.NewTimer(r.opts.FlushInterval)
	timer.Stop()
	for {
		var more bool
		batch, more = r.collect(ctx, batch, timer)
		if ctx.Err() != nil {
			r.lost(len(batch))
			return
		}
		if len(batch) > 0 {
			r.flush(ctx, batch)
		}
		if !more {
			return
		}

		// Let the written interceptions go before the next batch.
		clear(batch)
		batch = batch[:0]
	}
}

// collect waits for an interception, then gathers more into batch until it
// is full or FlushInterval has passed. It reports false when the writer
// should return after writing the batch.
func (r *Recorder) collect(
	ctx context.Context, batch []*Interception, timer *time.Timer,
) ([]*Interception, bool) {
	select {
	case ic := <-r.queue:
		batch = append(batch, ic)
		r.metrics.queued(-1)
	case <-r.stopping:
		batch = r.takeQueued(batch)
		return batch, len(batch) > 0
	case <-ctx.Done():
		return batch, false
	}

	timer.Reset(r.opts.FlushInterval)
	defer timer.Stop()
	for len(batch) < r.opts.BatchSize {
		select {
		case ic := <-r.queue:
			batch = append(batch, ic)
			r.metrics.queued(-1)
		case <-timer.C:
			return batch, true
		case <-r.stopping:
			// Shutting down: write at once what there is.
			return r.takeQueued(batch), true
		case <-ctx.Done():
			return batch, false
		}
	}
	return batch, true
}

// takeQueued moves interceptions from the queue into batch, without
// waiting, until the batch is full or the queue empty.
func (r *Recorder) takeQueued(batch []*Interception) []*Interception {
	for len(batch) < r.opts.BatchSize {
		select {
		case ic := <-r.queue:
			batch = append(batch, ic)
			r.metrics.queued(-1)
		default:
			return batch
		}
	}
	return batch
}

// discardQueue empties the queue and returns how many interceptions it held.
func (r *Recorder) discardQueue() int {
	n := 0
	for {
		select {
		case <-r.queue:
			n++
		default:
			return n
		}
	}
}

// flush writes batch, retrying with backoff for as long as ctx lasts.
func (r *Recorder) flush(ctx context.Context, batch []*Interception) {
	batch = r.screen(batch)
	wait := r.opts.RetryBackoff
	for attempt := 1; len(batch) > 0; attempt++ {
		n, err := r.write(ctx, batch)
		batch = batch[n:]
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			r.lost(len(batch))
			return
		}

		r.metrics.writeError()
		r.log.Error("write interceptions", "error", err, "count", len(batch),
			"attempt", attempt, "retry_in", wait)
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			r.lost(len(batch))
			return
		}
		wait = min(2*wait, r.opts.MaxRetryBackoff)
	}
}

// screen rejects the interceptions of batch that fail Validate or repeat an
// id seen earlier in the batch, and returns the others.
func (r *Recorder) screen(batch []*Interception) []*Interception {
	seen := make(map[uuid.UUID]struct{}, len(batch))
	kept := batch[:0]
	for _, ic := range batch {
		err := ic.Validate()
		if _, dup := seen[ic.ID]; dup && err == nil {
			err = errDuplicate
		}
		if err != nil {
			r.reject(ic, err)
			continue
		}
		seen[ic.ID] = struct{}{}
		kept = append(kept, ic)
	}
	return kept
}

// write stores batch in one statement. When Postgres refuses the data, it
// splits the batch in halves, and so on, to find the interceptions at fault
// and reject them alone. On any other error it returns how many leading
// interceptions of batch were settled (written or rejected) before it.
func (r *Recorder) write(ctx context.Context, batch []*Interception) (int, error) {
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, r.opts.WriteTimeout)
	inserted, err := insert(wctx, r.st, batch)
	cancel()

	if err == nil {
		took := time.Since(start)
		r.metrics.observeBatch(took)
		r.metrics.addWritten(len(batch))
		r.log.Debug("wrote interceptions", "count", len(batch), "duration", took)

		// An id already stored comes from a retry after a commit whose answer
		// was lost, or from a caller that reused an id.
		if skipped := len(batch) - int(inserted); skipped > 0 {
			r.log.Warn("interceptions already stored; kept the stored ones",
				"count", skipped)
		}
		return len(batch), nil
	}
	if !isDataError(err) {
		return 0, err
	}
	if len(batch) == 1 {
		r.reject(batch[0], err)
		return 1, nil
	}

	mid := len(batch) / 2
	n, err := r.write(ctx, batch[:mid])
	if err != nil {
		return n, err
	}
	n, err = r.write(ctx, batch[mid:])
	return mid + n, err
}

// reject drops ic, which can never be stored.
func (r *Recorder) reject(ic *Interception, err error) {
	r.metrics.addDropped(reasonRejected, 1)
	if ok, held := r.rejectLog.allow(time.Now()); ok {
		r.log.Error("interception rejected", "interception_id", ic.ID, "error", err,
			"held_back", held)
	}
}

// lost drops n interceptions that the writer held when it was stopped.
func (r *Recorder) lost(n int) {
	if n == 0 {
		return
	}
	r.metrics.addDropped(reasonClosed, n)
	r.log.Error("interceptions dropped at shutdown", "count", n)
}
