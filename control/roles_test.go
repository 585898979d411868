package control_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/control"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// roleCase is one row of the role table. call runs the method for ini with
// a request that is valid for ini; the roles in allowed succeed and the
// others fail with denied, PermissionDenied unless set.
type roleCase struct {
	method  string
	allowed []auth.Role
	denied  control.Code
	call    func(t *testing.T, f *fixture, ini auth.Initiator) error
}

var (
	ownerOnly   = []auth.Role{auth.RoleOwner}
	everyone    = roles
	recorders   = []auth.Role{auth.RoleOwner, auth.RoleMember, auth.RoleServiceAccount}
	readersOnly = []auth.Role{auth.RoleOwner, auth.RoleAuditor}
)

var userRoleCases = []roleCase{
	{"CreateUser", ownerOnly, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		_, err := f.users.CreateUser(as(t, ini), &aigatewayv1.CreateUserRequest{
			Username: "made-by-" + string(ini.Role), Role: aigatewayv1.Role_ROLE_MEMBER,
		})
		return err
	}},
	{"ListUsers", ownerOnly, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		_, err := f.users.ListUsers(as(t, ini), &aigatewayv1.ListUsersRequest{})
		return err
	}},
	{"DeleteUser", ownerOnly, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		victim := f.addUser(t, "victim-of-"+string(ini.Role), auth.RoleMember)
		_, err := f.users.DeleteUser(as(t, ini), &aigatewayv1.DeleteUserRequest{
			Username: victim.Username,
		})
		return err
	}},
	{"CreateToken/own", everyone, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		_, err := f.users.CreateToken(as(t, ini), &aigatewayv1.CreateTokenRequest{})
		return err
	}},
	{"CreateToken/other", ownerOnly, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		_, err := f.users.CreateToken(as(t, ini), &aigatewayv1.CreateTokenRequest{
			Username: f.bystander.Username,
		})
		return err
	}},
	{"ListTokens/own", everyone, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		_, err := f.users.ListTokens(as(t, ini), &aigatewayv1.ListTokensRequest{})
		return err
	}},
	{"ListTokens/other", ownerOnly, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		_, err := f.users.ListTokens(as(t, ini), &aigatewayv1.ListTokensRequest{
			Username: f.bystander.Username,
		})
		return err
	}},
	{"ListTokens/all", ownerOnly, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		_, err := f.users.ListTokens(as(t, ini), &aigatewayv1.ListTokensRequest{All: true})
		return err
	}},
	{"RevokeToken/own", everyone, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		tok := f.addToken(t, ini.UserID)
		_, err := f.users.RevokeToken(as(t, ini), &aigatewayv1.RevokeTokenRequest{Id: tok.ID})
		return err
	}},
	// Another user's token is not found, rather than denied, to whoever may
	// not revoke it, so that token ids do not leak.
	{
		"RevokeToken/other", ownerOnly, control.CodeNotFound,
		func(t *testing.T, f *fixture, ini auth.Initiator) error {
			tok := f.addToken(t, f.bystander.UserID)
			_, err := f.users.RevokeToken(as(t, ini), &aigatewayv1.RevokeTokenRequest{Id: tok.ID})
			return err
		},
	},
}

var auditRoleCases = []roleCase{
	{"ListAuditLogs", readersOnly, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		_, err := f.audit.ListAuditLogs(as(t, ini), &aigatewayv1.ListAuditLogsRequest{})
		return err
	}},
}

var interceptionRoleCases = []roleCase{
	{"StartInterception", recorders, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		_, err := f.interceptions.StartInterception(as(t, ini), validStart())
		return err
	}},
	{"EndInterception", recorders, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		id := f.addInterception(t, ini.UserID, seed{inProgress: true})
		_, err := f.interceptions.EndInterception(as(t, ini), &aigatewayv1.EndInterceptionRequest{
			Id: id.String(), Status: "completed",
		})
		return err
	}},
	{"RecordTokenUsage", recorders, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		id := f.addInterception(t, ini.UserID, seed{inProgress: true})
		_, err := f.interceptions.RecordTokenUsage(as(t, ini), &aigatewayv1.RecordTokenUsageRequest{
			InterceptionId: id.String(), Usage: &aigatewayv1.TokenUsage{InputTokens: 1},
		})
		return err
	}},
	{"RecordPrompt", recorders, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		id := f.addInterception(t, ini.UserID, seed{inProgress: true})
		_, err := f.interceptions.RecordPrompt(as(t, ini), &aigatewayv1.RecordPromptRequest{
			InterceptionId: id.String(), Prompt: "hi",
		})
		return err
	}},
	{"RecordToolUsage", recorders, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		id := f.addInterception(t, ini.UserID, seed{inProgress: true})
		_, err := f.interceptions.RecordToolUsage(as(t, ini), &aigatewayv1.RecordToolUsageRequest{
			InterceptionId: id.String(), ToolUsage: &aigatewayv1.ToolUsage{Tool: "ls"},
		})
		return err
	}},
	{"RecordThought", recorders, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		id := f.addInterception(t, ini.UserID, seed{inProgress: true})
		_, err := f.interceptions.RecordThought(as(t, ini), &aigatewayv1.RecordThoughtRequest{
			InterceptionId: id.String(), Content: "hmm",
		})
		return err
	}},
	// Members record but read nothing back, not even their own.
	{"ListInterceptions", readersOnly, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		f.addInterception(t, ini.UserID, seed{})
		req := &aigatewayv1.ListInterceptionsRequest{Initiator: ini.Username}
		_, err := f.interceptions.ListInterceptions(as(t, ini), req)
		return err
	}},
	{"GetInterception", readersOnly, 0, func(t *testing.T, f *fixture, ini auth.Initiator) error {
		id := f.addInterception(t, ini.UserID, seed{})
		_, err := f.interceptions.GetInterception(as(t, ini), &aigatewayv1.GetInterceptionRequest{
			Id: id.String(),
		})
		return err
	}},
}

// TestRoles runs every method of the user, audit and interception services
// as each role: the cells of the authorization table.
func TestRoles(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	cases := slices.Concat(userRoleCases, auditRoleCases, interceptionRoleCases)
	for _, c := range cases {
		for _, role := range roles {
			t.Run(c.method+"/"+string(role), func(t *testing.T) {
				t.Parallel()

				err := c.call(t, f, f.byRole[role])
				if slices.Contains(c.allowed, role) {
					require.NoError(t, err)
					return
				}
				want := c.denied
				if want == 0 {
					want = control.CodePermissionDenied
				}
				requireCode(t, err, want)
			})
		}
	}
}

// TestNoIdentity checks that a context without a caller is unauthenticated.
func TestNoIdentity(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	_, err := f.users.ListUsers(t.Context(), &aigatewayv1.ListUsersRequest{})
	requireCode(t, err, control.CodeUnauthenticated)
	_, err = f.audit.ListAuditLogs(t.Context(), &aigatewayv1.ListAuditLogsRequest{})
	requireCode(t, err, control.CodeUnauthenticated)
	_, err = f.interceptions.StartInterception(t.Context(), validStart())
	requireCode(t, err, control.CodeUnauthenticated)
}
