package control_test

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/control"
	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/gen/db"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// Secret values the tests store; none may show up in a response or an
// audit entry.
const (
	firstSecretValue  = "sk-ant-secret-value-first-000000000001"
	secondSecretValue = "sk-ant-secret-value-second-00000000002"
)

// secretNames returns the names of a listing, in order.
func secretNames(resp *aigatewayv1.ListSecretsResponse) []string {
	names := make([]string, 0, len(resp.GetSecrets()))
	for _, s := range resp.GetSecrets() {
		names = append(names, s.GetName())
	}
	return names
}

// storedSecret reads a secret's value as the store returns it, opened when
// the store has a cipher.
func (f *fixture) storedSecret(t *testing.T, ini auth.Initiator, name string) string {
	t.Helper()

	row, err := f.st.Queries.GetUserSecret(t.Context(), db.GetUserSecretParams{
		UserID: ini.UserID, Name: name,
	})
	require.NoError(t, err)
	return row.Value
}

// TestSecretLifecycle creates, lists, updates and deletes a secret as each
// role: every role manages its own secrets.
func TestSecretLifecycle(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	for _, role := range roles {
		t.Run(string(role), func(t *testing.T) {
			t.Parallel()

			ini := f.byRole[role]
			ctx := as(t, ini)
			created, err := f.users.CreateSecret(ctx, &aigatewayv1.CreateSecretRequest{
				Name: "byok:anthropic", Value: firstSecretValue,
			})
			require.NoError(t, err)
			require.Equal(t, "byok:anthropic", created.GetSecret().GetName())
			require.WithinDuration(t, time.Now(), created.GetSecret().GetCreatedAt().AsTime(),
				time.Minute)
			require.Equal(t, firstSecretValue, f.storedSecret(t, ini, "byok:anthropic"))

			_, err = f.users.CreateSecret(ctx, &aigatewayv1.CreateSecretRequest{
				Name: "byok:anthropic", Value: secondSecretValue,
			})
			requireCode(t, err, control.CodeAlreadyExists)

			_, err = f.users.CreateSecret(ctx, &aigatewayv1.CreateSecretRequest{
				Name: "a.note_1-x", Value: "x",
			})
			require.NoError(t, err)
			list, err := f.users.ListSecrets(ctx, &aigatewayv1.ListSecretsRequest{})
			require.NoError(t, err)
			require.Equal(t, []string{"a.note_1-x", "byok:anthropic"}, secretNames(list))

			updated, err := f.users.UpdateSecret(ctx, &aigatewayv1.UpdateSecretRequest{
				Name: "byok:anthropic", Value: secondSecretValue,
			})
			require.NoError(t, err)
			require.False(t, updated.GetSecret().GetUpdatedAt().AsTime().
				Before(created.GetSecret().GetUpdatedAt().AsTime()))
			require.Equal(t, secondSecretValue, f.storedSecret(t, ini, "byok:anthropic"))

			_, err = f.users.DeleteSecret(ctx, &aigatewayv1.DeleteSecretRequest{
				Name: "byok:anthropic",
			})
			require.NoError(t, err)
			list, err = f.users.ListSecrets(ctx, &aigatewayv1.ListSecretsRequest{})
			require.NoError(t, err)
			require.Equal(t, []string{"a.note_1-x"}, secretNames(list))

			_, err = f.users.DeleteSecret(ctx, &aigatewayv1.DeleteSecretRequest{
				Name: "byok:anthropic",
			})
			requireCode(t, err, control.CodeNotFound)
			_, err = f.users.UpdateSecret(ctx, &aigatewayv1.UpdateSecretRequest{
				Name: "byok:anthropic", Value: "y",
			})
			requireCode(t, err, control.CodeNotFound)
		})
	}
}

// TestSecretsStayOwn checks that no caller, an owner included, lists,
// changes or deletes another user's secret: a name only another user holds
// is NotFound, and the same name is free for each user.
func TestSecretsStayOwn(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	_, err := f.users.CreateSecret(as(t, f.bystander), &aigatewayv1.CreateSecretRequest{
		Name: "byok:openai", Value: firstSecretValue,
	})
	require.NoError(t, err)

	for _, role := range roles {
		ctx := as(t, f.byRole[role])
		list, err := f.users.ListSecrets(ctx, &aigatewayv1.ListSecretsRequest{})
		require.NoError(t, err)
		require.Empty(t, list.GetSecrets(), role)

		_, err = f.users.UpdateSecret(ctx, &aigatewayv1.UpdateSecretRequest{
			Name: "byok:openai", Value: secondSecretValue,
		})
		requireCode(t, err, control.CodeNotFound)
		_, err = f.users.DeleteSecret(ctx, &aigatewayv1.DeleteSecretRequest{Name: "byok:openai"})
		requireCode(t, err, control.CodeNotFound)
	}
	require.Equal(t, firstSecretValue, f.storedSecret(t, f.bystander, "byok:openai"))

	// The owner's secret of the same name is a different secret.
	_, err = f.users.CreateSecret(as(t, f.owner), &aigatewayv1.CreateSecretRequest{
		Name: "byok:openai", Value: secondSecretValue,
	})
	require.NoError(t, err)
	require.Equal(t, firstSecretValue, f.storedSecret(t, f.bystander, "byok:openai"))
	require.Equal(t, secondSecretValue, f.storedSecret(t, f.owner, "byok:openai"))
}

// TestSecretInvalid checks the validation of names and values on every RPC
// that takes them.
func TestSecretInvalid(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	tests := []struct {
		name, secret, value, field string
	}{
		{"empty name", "", "v", "name"},
		{"leading dot", ".x", "v", "name"},
		{"leading colon", ":x", "v", "name"},
		{"space", "byok: x", "v", "name"},
		{"slash", "byok/x", "v", "name"},
		{"not ascii", "clé", "v", "name"},
		{"129 characters", strings.Repeat("a", 129), "v", "name"},
		{"empty value", "byok:x", "", "value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			ctx := as(t, f.owner)
			_, err := f.users.CreateSecret(ctx, &aigatewayv1.CreateSecretRequest{
				Name: tt.secret, Value: tt.value,
			})
			requireInvalid(t, err, tt.field)
			_, err = f.users.UpdateSecret(ctx, &aigatewayv1.UpdateSecretRequest{
				Name: tt.secret, Value: tt.value,
			})
			requireInvalid(t, err, tt.field)
			if tt.field == "name" {
				_, err = f.users.DeleteSecret(ctx, &aigatewayv1.DeleteSecretRequest{Name: tt.secret})
				requireInvalid(t, err, tt.field)
			}
		})
	}

	_, err := f.users.CreateSecret(as(t, f.owner), &aigatewayv1.CreateSecretRequest{
		Name: strings.Repeat("a", 128), Value: "v",
	})
	require.NoError(t, err, "128 characters is the longest name")
}

// TestSecretUnauthenticated checks that a context without a caller gets
// Unauthenticated from every secret RPC.
func TestSecretUnauthenticated(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	ctx := t.Context()
	_, err := f.users.CreateSecret(ctx, &aigatewayv1.CreateSecretRequest{Name: "a", Value: "v"})
	requireCode(t, err, control.CodeUnauthenticated)
	_, err = f.users.ListSecrets(ctx, &aigatewayv1.ListSecretsRequest{})
	requireCode(t, err, control.CodeUnauthenticated)
	_, err = f.users.UpdateSecret(ctx, &aigatewayv1.UpdateSecretRequest{Name: "a", Value: "v"})
	requireCode(t, err, control.CodeUnauthenticated)
	_, err = f.users.DeleteSecret(ctx, &aigatewayv1.DeleteSecretRequest{Name: "a"})
	requireCode(t, err, control.CodeUnauthenticated)
}

// TestSecretAudit checks that each change writes an audit entry that names
// the secret and never holds its value.
func TestSecretAudit(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	ctx := as(t, f.byRole[auth.RoleMember])
	_, err := f.users.CreateSecret(ctx, &aigatewayv1.CreateSecretRequest{
		Name: "byok:anthropic", Value: firstSecretValue,
	})
	require.NoError(t, err)
	_, err = f.users.UpdateSecret(ctx, &aigatewayv1.UpdateSecretRequest{
		Name: "byok:anthropic", Value: secondSecretValue,
	})
	require.NoError(t, err)
	_, err = f.users.DeleteSecret(ctx, &aigatewayv1.DeleteSecretRequest{Name: "byok:anthropic"})
	require.NoError(t, err)

	resp, err := f.audit.ListAuditLogs(as(t, f.owner), &aigatewayv1.ListAuditLogsRequest{
		ResourceType: "user_secret",
	})
	require.NoError(t, err)
	entries := resp.GetEntries()
	require.Len(t, entries, 3)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.GetAction())
		require.Equal(t, "the-member", e.GetActor())
		require.Equal(t, entries[0].GetResourceId(), e.GetResourceId(), "one secret")
		require.NotContains(t, e.GetDiff(), "secret-value")
		var diff map[string]map[string]string
		require.NoError(t, json.Unmarshal([]byte(e.GetDiff()), &diff))
		for _, side := range diff {
			require.Equal(t, map[string]string{"name": "byok:anthropic"}, side)
		}
	}
	require.Equal(t, []string{"delete", "update", "create"}, actions, "newest first")
}

// TestSecretSealed checks that with a cipher the database holds the value
// sealed, while the service's store reads it back in plain text.
func TestSecretSealed(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	raw := make([]byte, dbcrypt.KeySize)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	c, err := dbcrypt.New([][]byte{raw})
	require.NoError(t, err)
	sealed := f.st.WithCipher(c)
	users := control.NewUserService(sealed)

	ini := f.byRole[auth.RoleAuditor]
	_, err = users.CreateSecret(as(t, ini), &aigatewayv1.CreateSecretRequest{
		Name: "byok:openai", Value: firstSecretValue,
	})
	require.NoError(t, err)

	key := db.GetUserSecretParams{UserID: ini.UserID, Name: "byok:openai"}
	row, err := db.New(f.st.Pool).GetUserSecret(t.Context(), key)
	require.NoError(t, err)
	require.NotContains(t, row.Value, firstSecretValue)
	digest, ok := dbcrypt.IsSealed(row.Value)
	require.True(t, ok, "stored value is sealed")
	require.Equal(t, c.ActiveDigest(), digest)

	opened, err := sealed.Queries.GetUserSecret(t.Context(), key)
	require.NoError(t, err)
	require.Equal(t, firstSecretValue, opened.Value)

	_, err = users.UpdateSecret(as(t, ini), &aigatewayv1.UpdateSecretRequest{
		Name: "byok:openai", Value: secondSecretValue,
	})
	require.NoError(t, err)
	row, err = db.New(f.st.Pool).GetUserSecret(t.Context(), key)
	require.NoError(t, err)
	require.NotContains(t, row.Value, secondSecretValue)
	opened, err = sealed.Queries.GetUserSecret(t.Context(), key)
	require.NoError(t, err)
	require.Equal(t, secondSecretValue, opened.Value)
}
