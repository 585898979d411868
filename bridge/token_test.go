package bridge_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/apitoken"
	"github.com/aigateway/aigateway/gen/db"
)

// TestTokenWithdrawn checks that a token stops working within a second of
// its revocation, or of its user's deletion, even right after a request
// that it authenticated.
func TestTokenWithdrawn(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name     string
		withdraw func(g *gateway, tok apitoken.Token, user db.User)
	}{
		{"Revoked", func(g *gateway, tok apitoken.Token, _ db.User) {
			n, err := g.st.Queries.RevokeAPIToken(g.t.Context(), tok.ID)
			require.NoError(g.t, err)
			require.Equal(g.t, int64(1), n)
		}},
		{"UserDeleted", func(g *gateway, _ apitoken.Token, user db.User) {
			n, err := g.st.Queries.SoftDeleteUser(g.t.Context(), user.ID)
			require.NoError(g.t, err)
			require.Equal(g.t, int64(1), n)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			ac := apiNamed("Messages")
			f := fixtureNamed(t, ac, "blocking_text")
			g.answerWith(f)
			tok, user := g.newUser("bea")
			send := func() *http.Response {
				req := g.request(g.url("anthropic", ac.path), string(f.Request))
				req.Header.Set("X-Api-Key", tok.String())
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				return resp
			}

			resp := send()
			defer resp.Body.Close()
			require.Equal(t, string(f.Response), string(readAll(t, resp)))
			require.Equal(t, user.ID, g.interception(resp).InitiatorID)

			tc.withdraw(g, tok, user)
			withdrawn := time.Now()
			require.Eventually(t, func() bool {
				resp := send()
				defer resp.Body.Close()
				return resp.StatusCode == http.StatusUnauthorized
			}, 5*time.Second, 20*time.Millisecond)
			require.Less(t, time.Since(withdrawn), 2*time.Second, "within a second, and a margin")

			before := len(g.upstream.seen())
			resp = send()
			defer resp.Body.Close()
			requireGatewayErr(t, resp, true, unauthenticated())
			require.Len(t, g.upstream.seen(), before, "nothing more goes upstream")
		})
	}
}

// newUser adds a member and a token of theirs.
func (g *gateway) newUser(name string) (apitoken.Token, db.User) {
	g.t.Helper()

	ctx := g.t.Context()
	user, err := g.st.Queries.InsertUser(ctx, db.InsertUserParams{
		Username: name, Role: db.UserRoleMember,
	})
	require.NoError(g.t, err)
	tok, err := apitoken.New()
	require.NoError(g.t, err)
	_, err = g.st.Queries.InsertAPIToken(ctx, db.InsertAPITokenParams{
		ID: tok.ID, UserID: user.ID, HashedSecret: tok.Hash(),
	})
	require.NoError(g.t, err)
	return tok, user
}
