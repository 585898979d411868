// Package auth checks gateway tokens and tells who a request runs for.
//
// An Authenticator looks a token up by its id, checks the secret's hash in
// constant time, and caches what it found for at most CacheTTL, so that the
// hot path rarely reaches Postgres while a revoked token, or a deleted
// user's, stops working within one second on every server.
package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/aigateway/aigateway/apitoken"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/store"
)

// CacheTTL bounds how long a looked-up token is trusted without asking
// Postgres again. It stays under one second so that revocation takes effect
// within a second.
const CacheTTL = 750 * time.Millisecond

// touchEvery is how stale a token's last_used_at may grow before a use of
// the token writes it again; writing it on every use would put a database
// write on every request.
const touchEvery = time.Minute

// ErrUnauthenticated means the token is missing, malformed, unknown,
// expired or revoked, or its user is deleted.
var ErrUnauthenticated = errors.New("invalid gateway token")

// Role is what a user may do.
type Role string

// The roles, as stored in users.role.
const (
	RoleOwner          Role = "owner"
	RoleAuditor        Role = "auditor"
	RoleMember         Role = "member"
	RoleServiceAccount Role = "service_account"
)

// Initiator is the user on whose behalf a request runs.
type Initiator struct {
	// UserID is the user's id.
	UserID uuid.UUID
	// Username is the user's name.
	Username string
	// Role is the user's role.
	Role Role
	// TokenID is the id of the token presented.
	TokenID string
}

// Authenticator checks gateway tokens against Postgres. It is safe for
// concurrent use.
type Authenticator struct {
	queries db.Querier
	now     func() time.Time
	ttl     time.Duration
	cache   sync.Map // token id -> *entry
}

type entry struct {
	fetched time.Time
	row     db.GetAPITokenWithUserRow
	found   bool
}

// New returns an Authenticator over st.
func New(st *store.Store) *Authenticator {
	return &Authenticator{queries: st.Queries, now: time.Now, ttl: CacheTTL}
}

// Authenticate returns the initiator of a token, or an error wrapping
// ErrUnauthenticated. Other errors mean Postgres could not be asked.
func (a *Authenticator) Authenticate(ctx context.Context, raw string) (Initiator, error) {
	tok, err := apitoken.Parse(raw)
	if err != nil {
		return Initiator{}, fmt.Errorf("%w: malformed", ErrUnauthenticated)
	}

	e, err := a.lookup(ctx, tok.ID)
	if err != nil {
		return Initiator{}, err
	}
	switch {
	case !e.found || !tok.Matches(e.row.HashedSecret):
		return Initiator{}, fmt.Errorf("%w: unknown", ErrUnauthenticated)
	case e.row.Revoked:
		return Initiator{}, fmt.Errorf("%w: revoked", ErrUnauthenticated)
	case e.row.UserDeleted:
		return Initiator{}, fmt.Errorf("%w: user deleted", ErrUnauthenticated)
	case e.row.ExpiresAt.Valid && !a.now().Before(e.row.ExpiresAt.Time):
		return Initiator{}, fmt.Errorf("%w: expired", ErrUnauthenticated)
	}
	return Initiator{
		UserID:   e.row.UserID,
		Username: e.row.Username,
		Role:     Role(e.row.Role),
		TokenID:  e.row.ID,
	}, nil
}

func (a *Authenticator) lookup(ctx context.Context, id string) (*entry, error) {
	now := a.now()
	if v, ok := a.cache.Load(id); ok {
		if e := v.(*entry); now.Sub(e.fetched) < a.ttl {
			return e, nil
		}
	}

	row, err := a.queries.GetAPITokenWithUser(ctx, id)
	err = store.MapError(err)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("look up token: %w", err)
	}
	if err == nil && (!row.LastUsedAt.Valid || now.Sub(row.LastUsedAt.Time) > touchEvery) {
		// A failed touch loses a timestamp, not a request.
		_ = a.queries.TouchAPIToken(ctx, id)
	}
	e := &entry{fetched: now, row: row, found: err == nil}
	// Only existing tokens are cached, so that random ids cannot grow the
	// cache beyond the api_tokens table.
	if e.found {
		a.cache.Store(id, e)
	}
	return e, nil
}
