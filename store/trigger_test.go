package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/apitoken"
	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/gen/db"
)

// TestSoftDeleteRemovesCredentials checks the trigger that removes a
// deleted user's secrets and tokens, which a foreign-key cascade never does
// on a soft delete, and leaves other users' alone.
func TestSoftDeleteRemovesCredentials(t *testing.T) {
	t.Parallel()

	ctx := t.Context()
	st := dbtest.NewStore(t)
	users := map[string]db.User{}
	for _, name := range []string{"gone", "kept"} {
		u, err := st.Queries.InsertUser(ctx, db.InsertUserParams{Username: name, Role: db.UserRoleMember})
		require.NoError(t, err)
		users[name] = u
		tok, err := apitoken.New()
		require.NoError(t, err)
		_, err = st.Queries.InsertAPIToken(ctx, db.InsertAPITokenParams{
			ID: tok.ID, UserID: u.ID, HashedSecret: tok.Hash(),
		})
		require.NoError(t, err)
		_, err = st.Queries.InsertUserSecret(ctx, db.InsertUserSecretParams{
			UserID: u.ID, Name: "byok:openai", Value: "sk-" + name,
		})
		require.NoError(t, err)
	}

	n, err := st.Queries.SoftDeleteUser(ctx, users["gone"].ID)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)

	count := func(table string, u db.User) int {
		var c int
		err := st.Pool.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE user_id = $1",
			u.ID).Scan(&c)
		require.NoError(t, err)
		return c
	}
	for _, table := range []string{"api_tokens", "user_secrets"} {
		require.Zero(t, count(table, users["gone"]), table)
		require.Equal(t, 1, count(table, users["kept"]), table)
	}
}
