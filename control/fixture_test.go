package control_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/apitoken"
	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/control"
	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/store"
)

// roles lists every role, in the order the role tests walk them.
var roles = []auth.Role{
	auth.RoleOwner, auth.RoleAuditor, auth.RoleMember, auth.RoleServiceAccount,
}

// fixture bundles the services under test, on a database of their own, with
// one user of each role and a bystander member whose things the others act
// on.
type fixture struct {
	st            *store.Store
	users         *control.UserService
	audit         *control.AuditService
	interceptions *control.InterceptionService

	byRole    map[auth.Role]auth.Initiator
	owner     auth.Initiator
	bystander auth.Initiator
}

func newFixture(t *testing.T) *fixture {
	t.Helper()

	st := dbtest.NewStore(t)
	f := &fixture{
		st:            st,
		users:         control.NewUserService(st),
		audit:         control.NewAuditService(st),
		interceptions: control.NewInterceptionService(st),
		byRole:        map[auth.Role]auth.Initiator{},
	}
	for _, r := range roles {
		f.byRole[r] = f.addUser(t, "the-"+string(r), r)
	}
	f.owner = f.byRole[auth.RoleOwner]
	f.bystander = f.addUser(t, "bystander", auth.RoleMember)
	return f
}

// addUser creates a user straight in the store, as the first owner is.
func (f *fixture) addUser(t *testing.T, name string, role auth.Role) auth.Initiator {
	t.Helper()

	u, err := f.st.Queries.InsertUser(t.Context(), db.InsertUserParams{
		Username: name, Role: db.UserRole(role),
	})
	require.NoError(t, err)
	return auth.Initiator{UserID: u.ID, Username: u.Username, Role: role}
}

// addToken creates a token of user straight in the store and returns it.
func (f *fixture) addToken(t *testing.T, user uuid.UUID) apitoken.Token {
	t.Helper()

	tok, err := apitoken.New()
	require.NoError(t, err)
	_, err = f.st.Queries.InsertAPIToken(t.Context(), db.InsertAPITokenParams{
		ID: tok.ID, UserID: user, HashedSecret: tok.Hash(),
	})
	require.NoError(t, err)
	return tok
}

// seed is an interception that addInterception writes straight to the
// store; its zero fields get defaults.
type seed struct {
	provider, model, client string
	started                 time.Time
	inProgress              bool
}

// addInterception writes an interception of user straight to the store and
// returns its id.
func (f *fixture) addInterception(t *testing.T, user uuid.UUID, s seed) uuid.UUID {
	t.Helper()

	if s.provider == "" {
		s.provider = "openai"
	}
	if s.model == "" {
		s.model = "gpt-4o"
	}
	if s.client == "" {
		s.client = "codex"
	}
	if s.started.IsZero() {
		s.started = time.Now()
	}

	ctx, id := t.Context(), uuid.New()
	err := f.st.Queries.InsertInterceptionStart(ctx, db.InsertInterceptionStartParams{
		ID: id, InitiatorID: user, ProviderName: s.provider, ProviderType: "openai",
		Model: s.model, Client: s.client, CredentialKind: db.InterceptionCredentialKindCentralized,
		StartedAt: pgtype.Timestamptz{Time: s.started, Valid: true},
	})
	require.NoError(t, err)
	if !s.inProgress {
		_, err = f.st.Queries.EndInterception(ctx, db.EndInterceptionParams{
			ID: id, Status: db.InterceptionStatusCompleted,
			EndedAt: pgtype.Timestamptz{Time: s.started.Add(time.Second), Valid: true},
		})
		require.NoError(t, err)
	}
	return id
}

// as returns the test's context acting for ini.
func as(t *testing.T, ini auth.Initiator) context.Context {
	return control.WithInitiator(t.Context(), ini)
}

// requireCode checks that err is a service error with code.
func requireCode(t *testing.T, err error, code control.Code) {
	t.Helper()

	require.Error(t, err)
	var e *control.Error
	require.True(t, errors.As(err, &e), "not a *control.Error: %v", err)
	require.Equal(t, code, e.Code, "error: %v", err)
}

// requireInvalid checks that err is an invalid argument naming field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()

	requireCode(t, err, control.CodeInvalidArgument)
	var e *control.Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, field, e.Field, "error: %v", err)
}
