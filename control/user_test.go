package control_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/control"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	ctx := as(t, f.owner)
	resp, err := f.users.CreateUser(ctx, &aigatewayv1.CreateUserRequest{
		Username: "ci.bot_1-x", Role: aigatewayv1.Role_ROLE_SERVICE_ACCOUNT,
	})
	require.NoError(t, err)
	u := resp.GetUser()
	require.Equal(t, "ci.bot_1-x", u.GetUsername())
	require.Equal(t, aigatewayv1.Role_ROLE_SERVICE_ACCOUNT, u.GetRole())
	require.NotEmpty(t, u.GetId())
	require.WithinDuration(t, time.Now(), u.GetCreatedAt().AsTime(), time.Minute)

	_, err = f.users.CreateUser(ctx, &aigatewayv1.CreateUserRequest{
		Username: "ci.bot_1-x", Role: aigatewayv1.Role_ROLE_MEMBER,
	})
	requireCode(t, err, control.CodeAlreadyExists)

	// Usernames are never reused, not even a deleted user's.
	_, err = f.users.DeleteUser(ctx, &aigatewayv1.DeleteUserRequest{Username: "ci.bot_1-x"})
	require.NoError(t, err)
	_, err = f.users.CreateUser(ctx, &aigatewayv1.CreateUserRequest{
		Username: "ci.bot_1-x", Role: aigatewayv1.Role_ROLE_MEMBER,
	})
	requireCode(t, err, control.CodeAlreadyExists)
}

func TestCreateUserInvalid(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	member := aigatewayv1.Role_ROLE_MEMBER
	tests := []struct {
		name     string
		username string
		role     aigatewayv1.Role
		field    string
	}{
		{"empty username", "", member, "username"},
		{"leading dot", ".ann", member, "username"},
		{"leading dash", "-ann", member, "username"},
		{"space", "ann b", member, "username"},
		{"slash", "ann/b", member, "username"},
		{"not ascii", "änn", member, "username"},
		{"65 characters", strings.Repeat("a", 65), member, "username"},
		{"unspecified role", "ann", aigatewayv1.Role_ROLE_UNSPECIFIED, "role"},
		{"unknown role", "ann", aigatewayv1.Role(99), "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := f.users.CreateUser(as(t, f.owner), &aigatewayv1.CreateUserRequest{
				Username: tt.username, Role: tt.role,
			})
			requireInvalid(t, err, tt.field)
		})
	}

	_, err := f.users.CreateUser(as(t, f.owner), &aigatewayv1.CreateUserRequest{
		Username: strings.Repeat("a", 64), Role: member,
	})
	require.NoError(t, err, "64 characters is the longest name")
}

func TestListUsers(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	gone := f.addUser(t, "gone", auth.RoleMember)
	_, err := f.users.DeleteUser(as(t, f.owner), &aigatewayv1.DeleteUserRequest{
		Username: gone.Username,
	})
	require.NoError(t, err)

	resp, err := f.users.ListUsers(as(t, f.owner), &aigatewayv1.ListUsersRequest{})
	require.NoError(t, err)
	var names []string
	for _, u := range resp.GetUsers() {
		names = append(names, u.GetUsername())
		if u.GetUsername() == "the-auditor" {
			require.Equal(t, aigatewayv1.Role_ROLE_AUDITOR, u.GetRole())
			require.Equal(t, f.byRole[auth.RoleAuditor].UserID.String(), u.GetId())
		}
	}
	require.Equal(t, []string{
		"bystander", "the-auditor", "the-member", "the-owner", "the-service_account",
	}, names)
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	ctx := as(t, f.owner)
	tok := f.addToken(t, f.bystander.UserID)
	_, err := auth.New(f.st).Authenticate(ctx, tok.String())
	require.NoError(t, err)

	_, err = f.users.DeleteUser(ctx, &aigatewayv1.DeleteUserRequest{Username: "bystander"})
	require.NoError(t, err)
	_, err = auth.New(f.st).Authenticate(ctx, tok.String())
	require.ErrorIs(t, err, auth.ErrUnauthenticated, "a deleted user's token stops working")

	_, err = f.users.DeleteUser(ctx, &aigatewayv1.DeleteUserRequest{Username: "bystander"})
	requireCode(t, err, control.CodeNotFound)
	_, err = f.users.DeleteUser(ctx, &aigatewayv1.DeleteUserRequest{Username: "nobody"})
	requireCode(t, err, control.CodeNotFound)
	_, err = f.users.DeleteUser(ctx, &aigatewayv1.DeleteUserRequest{})
	requireInvalid(t, err, "username")
	_, err = f.users.DeleteUser(ctx, &aigatewayv1.DeleteUserRequest{Username: f.owner.Username})
	requireCode(t, err, control.CodeFailedPrecondition)
}

func TestCreateToken(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	member := f.byRole[auth.RoleMember]
	expires := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	resp, err := f.users.CreateToken(as(t, member), &aigatewayv1.CreateTokenRequest{
		Username: member.Username, ExpiresAt: timestamppb.New(expires),
	})
	require.NoError(t, err)
	tok := resp.GetToken()
	require.Equal(t, member.UserID.String(), tok.GetUserId())
	require.Equal(t, member.Username, tok.GetUsername())
	require.True(t, expires.Equal(tok.GetExpiresAt().AsTime()))
	require.Nil(t, tok.GetLastUsedAt())
	require.False(t, tok.GetRevoked())
	require.True(t, strings.HasPrefix(resp.GetSecret(), tok.GetId()+"-"))

	// The secret is the token as its holder presents it.
	got, err := auth.New(f.st).Authenticate(t.Context(), resp.GetSecret())
	require.NoError(t, err)
	require.Equal(t, member.UserID, got.UserID)
	require.Equal(t, tok.GetId(), got.TokenID)

	// An owner issues tokens for others.
	resp, err = f.users.CreateToken(as(t, f.owner), &aigatewayv1.CreateTokenRequest{
		Username: f.bystander.Username,
	})
	require.NoError(t, err)
	require.Equal(t, f.bystander.UserID.String(), resp.GetToken().GetUserId())
	require.Nil(t, resp.GetToken().GetExpiresAt())

	_, err = f.users.CreateToken(as(t, f.owner), &aigatewayv1.CreateTokenRequest{
		Username: "nobody",
	})
	requireCode(t, err, control.CodeNotFound)
}

func TestCreateTokenInvalid(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	tests := []struct {
		name    string
		expires *timestamppb.Timestamp
	}{
		{"in the past", timestamppb.New(time.Now().Add(-time.Minute))},
		{"now", timestamppb.New(time.Now())},
		{"out of range", &timestamppb.Timestamp{Seconds: 1 << 62}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := f.users.CreateToken(as(t, f.owner), &aigatewayv1.CreateTokenRequest{
				ExpiresAt: tt.expires,
			})
			requireInvalid(t, err, "expires_at")
		})
	}
}

func TestListTokens(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	member := f.byRole[auth.RoleMember]
	first := f.addToken(t, member.UserID)
	second := f.addToken(t, member.UserID)
	other := f.addToken(t, f.bystander.UserID)

	resp, err := f.users.ListTokens(as(t, member), &aigatewayv1.ListTokensRequest{})
	require.NoError(t, err)
	require.Equal(t, []string{second.ID, first.ID}, tokenIDs(resp), "newest first")
	require.Equal(t, member.Username, resp.GetTokens()[0].GetUsername())

	resp, err = f.users.ListTokens(as(t, f.owner), &aigatewayv1.ListTokensRequest{
		Username: f.bystander.Username,
	})
	require.NoError(t, err)
	require.Equal(t, []string{other.ID}, tokenIDs(resp))

	resp, err = f.users.ListTokens(as(t, f.owner), &aigatewayv1.ListTokensRequest{All: true})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{first.ID, second.ID, other.ID}, tokenIDs(resp))

	_, err = f.users.ListTokens(as(t, f.owner), &aigatewayv1.ListTokensRequest{
		Username: "nobody",
	})
	requireCode(t, err, control.CodeNotFound)
	_, err = f.users.ListTokens(as(t, f.owner), &aigatewayv1.ListTokensRequest{
		Username: member.Username, All: true,
	})
	requireInvalid(t, err, "username")
}

func tokenIDs(resp *aigatewayv1.ListTokensResponse) []string {
	var ids []string
	for _, tok := range resp.GetTokens() {
		ids = append(ids, tok.GetId())
	}
	return ids
}

func TestRevokeToken(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	member := f.byRole[auth.RoleMember]
	mine := f.addToken(t, member.UserID)
	ctx := as(t, member)

	_, err := f.users.RevokeToken(ctx, &aigatewayv1.RevokeTokenRequest{Id: mine.ID})
	require.NoError(t, err)
	_, err = auth.New(f.st).Authenticate(t.Context(), mine.String())
	require.ErrorIs(t, err, auth.ErrUnauthenticated)
	resp, err := f.users.ListTokens(ctx, &aigatewayv1.ListTokensRequest{})
	require.NoError(t, err)
	require.True(t, resp.GetTokens()[0].GetRevoked())

	_, err = f.users.RevokeToken(ctx, &aigatewayv1.RevokeTokenRequest{Id: mine.ID})
	requireCode(t, err, control.CodeFailedPrecondition)
	_, err = f.users.RevokeToken(ctx, &aigatewayv1.RevokeTokenRequest{Id: "0123456789"})
	requireCode(t, err, control.CodeNotFound)
	_, err = f.users.RevokeToken(ctx, &aigatewayv1.RevokeTokenRequest{})
	requireInvalid(t, err, "id")

	// Another user's token reads as missing, revoked or not, to a member.
	theirs := f.addToken(t, f.bystander.UserID)
	_, err = f.users.RevokeToken(ctx, &aigatewayv1.RevokeTokenRequest{Id: theirs.ID})
	requireCode(t, err, control.CodeNotFound)
	_, err = f.users.RevokeToken(as(t, f.owner), &aigatewayv1.RevokeTokenRequest{Id: theirs.ID})
	require.NoError(t, err)
	_, err = f.users.RevokeToken(ctx, &aigatewayv1.RevokeTokenRequest{Id: theirs.ID})
	requireCode(t, err, control.CodeNotFound)
}

// TestUserAudit checks the audit entry of each user and token change, and
// that none holds a token's secret.
func TestUserAudit(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	ctx := as(t, f.owner)
	user, err := f.users.CreateUser(ctx, &aigatewayv1.CreateUserRequest{
		Username: "dora", Role: aigatewayv1.Role_ROLE_MEMBER,
	})
	require.NoError(t, err)
	tok, err := f.users.CreateToken(ctx, &aigatewayv1.CreateTokenRequest{Username: "dora"})
	require.NoError(t, err)
	tokID := tok.GetToken().GetId()
	_, err = f.users.RevokeToken(ctx, &aigatewayv1.RevokeTokenRequest{Id: tokID})
	require.NoError(t, err)
	_, err = f.users.DeleteUser(ctx, &aigatewayv1.DeleteUserRequest{Username: "dora"})
	require.NoError(t, err)

	resp, err := f.audit.ListAuditLogs(ctx, &aigatewayv1.ListAuditLogsRequest{})
	require.NoError(t, err)
	entries := resp.GetEntries()
	require.Len(t, entries, 4)
	userID := user.GetUser().GetId()
	want := []struct{ action, resourceType, resourceID, diff string }{
		{"delete", "user", userID, `{"before":{"username":"dora","role":"member"}}`},
		{"revoke", "api_token", tokID, `{"after":{"user_id":"` + userID +
			`","username":"dora","expires_at":null,"revoked":true},"before":{"user_id":"` +
			userID + `","username":"dora","expires_at":null,"revoked":false}}`},
		{"create", "api_token", tokID, `{"after":{"user_id":"` + userID +
			`","username":"dora","expires_at":null,"revoked":false}}`},
		{"create", "user", userID, `{"after":{"username":"dora","role":"member"}}`},
	}
	_, secret, _ := strings.Cut(tok.GetSecret(), "-")
	for i, w := range want {
		e := entries[i]
		require.Equal(t, f.owner.Username, e.GetActor())
		require.Equal(t, w.action, e.GetAction())
		require.Equal(t, w.resourceType, e.GetResourceType())
		require.Equal(t, w.resourceID, e.GetResourceId())
		require.JSONEq(t, w.diff, e.GetDiff())
		require.NotContains(t, e.GetDiff(), secret)
	}
}
