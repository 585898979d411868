package auth_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/apitoken"
	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/gen/db"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()

	ctx := t.Context()
	st := dbtest.NewStore(t)
	user, err := st.Queries.InsertUser(ctx, db.InsertUserParams{
		Username: "ann", Role: db.UserRoleMember,
	})
	require.NoError(t, err)

	issue := func(expires time.Time) apitoken.Token {
		tok, err := apitoken.New()
		require.NoError(t, err)
		_, err = st.Queries.InsertAPIToken(ctx, db.InsertAPITokenParams{
			ID: tok.ID, UserID: user.ID, HashedSecret: tok.Hash(),
			ExpiresAt: pgtype.Timestamptz{Time: expires, Valid: !expires.IsZero()},
		})
		require.NoError(t, err)
		return tok
	}
	good := issue(time.Time{})
	expired := issue(time.Now().Add(-time.Minute))
	unknown, err := apitoken.New()
	require.NoError(t, err)
	wrongSecret := apitoken.Token{ID: good.ID, Secret: unknown.Secret}

	a := auth.New(st)
	got, err := a.Authenticate(ctx, good.String())
	require.NoError(t, err)
	require.Equal(t, auth.Initiator{
		UserID: user.ID, Username: "ann", Role: auth.RoleMember, TokenID: good.ID,
	}, got)

	// The use is written down, for the token listings.
	row, err := st.Queries.GetAPITokenWithUser(ctx, good.ID)
	require.NoError(t, err)
	require.True(t, row.LastUsedAt.Valid)
	require.WithinDuration(t, time.Now(), row.LastUsedAt.Time, time.Minute)

	for name, raw := range map[string]string{
		"Empty":       "",
		"Malformed":   "not-a-token",
		"Unknown":     unknown.String(),
		"WrongSecret": wrongSecret.String(),
		"Expired":     expired.String(),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.Authenticate(ctx, raw)
			require.ErrorIs(t, err, auth.ErrUnauthenticated)
		})
	}

	// Revocation takes effect once the cache entry ages out, within a second.
	_, err = st.Queries.RevokeAPIToken(ctx, good.ID)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := a.Authenticate(ctx, good.String())
		return err != nil
	}, time.Second, 10*time.Millisecond)
}
