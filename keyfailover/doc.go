// Package keyfailover keeps a provider's key pool and walks it, one upstream
// call at a time, until a key works.
//
// A Pool holds up to MaxKeys keys in configured order. Each key is valid,
// temporary (cooling down until a time, after a rate limit or an exhausted
// quota) or permanent (out of rotation after the upstream rejected the key
// itself; probed again after Options.ProbeInterval). Every upstream call takes
// its own Walker from Pool.Walk, asks it for a key with Next, sends the
// request, and reports the answer, classified by Classify, with Report:
//
//	w := pool.Walk()
//	for {
//		k, err := w.Next()
//		if err != nil {
//			return err // an exhaustion error; see Walker.Next
//		}
//		resp, err := send(ctx, k.Value())
//		if err != nil {
//			w.Report(k, keyfailover.Verdict{}) // no answer: no mark, no failover
//			return err
//		}
//		v := keyfailover.Classify(resp.StatusCode, resp.Header, peek(resp))
//		w.Report(k, v)
//		if !v.Failover {
//			return relay(resp) // success, or an error that is not about the key
//		}
//		resp.Body.Close()
//	}
//
// The hot path, where every key is valid, takes no lock and allocates nothing
// beyond the Walker itself: the key list is an immutable slice swapped whole
// by Pool.Update, and each key's state is one atomic pointer to an immutable
// status that changes only by compare-and-swap.
package keyfailover
