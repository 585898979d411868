package providers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aigateway/aigateway/gen/db"
)

// ChangedChannel is the Postgres notification channel that announces a
// change to a provider or its keys. Every running server listens on it and
// rebuilds its provider set; see Notify and Loader.
const ChangedChannel = "ai_providers_changed"

// Provider is one provider of a Set: its stored spec and the row's state.
// It belongs to an immutable snapshot and must not be modified.
type Provider struct {
	// Spec is the provider as stored: its keys come from ai_provider_keys
	// in failover order, and its KeysVar is always "".
	Spec
	// ID is the provider's row id.
	ID uuid.UUID
	// Enabled is false for a provider an operator switched off. The data
	// plane still finds it, so that it can say the provider is disabled
	// rather than unknown.
	Enabled bool
	// UpdatedAt is when the row last changed.
	UpdatedAt time.Time
}

// Set is an immutable snapshot of the providers stored in the database,
// disabled ones included and deleted ones left out. Its methods are safe
// for concurrent use; neither the set nor its providers may be modified.
type Set struct {
	byName map[string]*Provider
	all    []*Provider // sorted by name
}

// NewSet returns a set of providers, which must have distinct names. It is
// meant for tests of code that consumes sets; the gateway builds its sets
// with BuildProviders.
func NewSet(providers ...*Provider) *Set {
	s := &Set{byName: make(map[string]*Provider, len(providers))}
	for _, p := range providers {
		s.byName[p.Name] = p
	}
	s.all = slices.Clone(providers)
	slices.SortFunc(s.all, func(a, b *Provider) int { return strings.Compare(a.Name, b.Name) })
	return s
}

// Get returns the provider named name, enabled or not.
func (s *Set) Get(name string) (*Provider, bool) {
	p, ok := s.byName[name]
	return p, ok
}

// All returns every provider of the set, sorted by name. The slice is the
// caller's; the providers are shared.
func (s *Set) All() []*Provider {
	return slices.Clone(s.all)
}

// Len returns the number of providers in the set.
func (s *Set) Len() int {
	return len(s.all)
}

// BuildProviders reads every provider that is not deleted, with its keys in
// position order, and returns them as a set. Providers and keys are read
// with one statement, so the set is one consistent snapshot.
func BuildProviders(ctx context.Context, q db.Querier) (*Set, error) {
	rows, err := q.ListProvidersWithKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list providers: %w", err)
	}

	providers := make([]*Provider, 0, len(rows))
	for _, row := range rows {
		spec, err := specFromRow(row.AiProvider, row.Keys)
		if err != nil {
			return nil, err
		}
		providers = append(providers, &Provider{
			Spec:      spec,
			ID:        row.AiProvider.ID,
			Enabled:   row.AiProvider.Enabled,
			UpdatedAt: row.AiProvider.UpdatedAt.Time,
		})
	}
	return NewSet(providers...), nil
}

// Notify announces on ChangedChannel that providers changed, so that every
// server rebuilds its set. Called inside a transaction, the notification is
// sent when the transaction commits, and not at all when it rolls back.
func Notify(ctx context.Context, q db.Querier) error {
	if err := q.NotifyProvidersChanged(ctx); err != nil {
		return fmt.Errorf("notify %s: %w", ChangedChannel, err)
	}
	return nil
}
