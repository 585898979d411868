package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/store"
)

func TestMapError(t *testing.T) {
	t.Parallel()

	ctx := t.Context()
	st := dbtest.NewStore(t)

	_, err := st.Queries.GetUserByUsername(ctx, "nobody")
	require.ErrorIs(t, store.MapError(err), store.ErrNotFound)

	_, err = st.Queries.InsertUser(ctx, db.InsertUserParams{Username: "ann", Role: db.UserRoleOwner})
	require.NoError(t, err)
	_, err = st.Queries.InsertUser(ctx, db.InsertUserParams{Username: "ann", Role: db.UserRoleMember})
	require.ErrorIs(t, store.MapError(err), store.ErrAlreadyExists)

	require.NoError(t, store.MapError(nil))
}
