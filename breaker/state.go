package breaker

import (
	"cmp"
	"slices"
)

// Status is one breaker as the control plane sees it.
type Status struct {
	Provider string
	Endpoint string
	Model    string
	// State is "closed", "half-open" or "open".
	State string
	// ConsecutiveFailures is the current run of overload answers.
	ConsecutiveFailures uint32
}

// States returns a snapshot of every breaker created so far, sorted by
// provider, endpoint and model. Reading a breaker whose Timeout has passed
// turns it half-open.
func (s *Set) States() []Status {
	var out []Status
	s.breakers.Range(func(_, v any) bool {
		c := v.(*circuit)
		out = append(out, Status{
			Provider:            c.target.provider,
			Endpoint:            c.target.endpoint,
			Model:               c.target.model,
			State:               c.cb.State().String(),
			ConsecutiveFailures: c.cb.Counts().ConsecutiveFailures,
		})
		return true
	})

	slices.SortFunc(out, func(a, b Status) int {
		return cmp.Or(
			cmp.Compare(a.Provider, b.Provider),
			cmp.Compare(a.Endpoint, b.Endpoint),
			cmp.Compare(a.Model, b.Model),
		)
	})
	return out
}
