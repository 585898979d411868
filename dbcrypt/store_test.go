package dbcrypt_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/pgcluster"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/store"
)

// Secrets the tests store; none may appear in plain text in the database.
const (
	apiKey     = "sk-ant-plaintext-provider-key-0001"
	awsKey     = "AKIAPLAINTEXTACCESS01"
	awsSecret  = "aws-plaintext-secret-value-0001"
	userSecret = "sk-user-plaintext-byok-key-0001"
)

func cipherOf(t *testing.T, keys ...[]byte) *dbcrypt.Cipher {
	t.Helper()
	c, err := dbcrypt.New(keys)
	require.NoError(t, err)
	return c
}

// seed stores a Bedrock provider with a key, and a user with a secret.
func seed(t *testing.T, st *store.Store, name string) {
	t.Helper()

	ctx := t.Context()
	_, err := providers.Insert(ctx, st.Queries, providers.Spec{
		Name: name, Type: providers.TypeAnthropic, BaseURL: "https://api.anthropic.com",
		Keys: []string{apiKey + name},
		Bedrock: &providers.Bedrock{Region: "us-east-1", Credentials: []providers.AWSCredential{
			{AccessKey: awsKey, Secret: awsSecret + name},
		}},
	}, uuid.NullUUID{})
	require.NoError(t, err)

	user, err := st.Queries.InsertUser(ctx, db.InsertUserParams{
		Username: name, Role: db.UserRoleMember,
	})
	require.NoError(t, err)
	_, err = st.Queries.InsertUserSecret(ctx, db.InsertUserSecretParams{
		UserID: user.ID, Name: "byok:" + name, Value: userSecret + name,
	})
	require.NoError(t, err)
}

// rawValues reads every stored secret as the database holds it.
func rawValues(t *testing.T, st *store.Store) string {
	t.Helper()

	var out strings.Builder
	for _, q := range []string{
		"SELECT key FROM ai_provider_keys",
		"SELECT value FROM user_secrets",
		"SELECT settings::text FROM ai_providers",
	} {
		rows, err := st.Pool.Query(t.Context(), q)
		require.NoError(t, err)
		for rows.Next() {
			var v string
			require.NoError(t, rows.Scan(&v))
			out.WriteString(v + "\n")
		}
		require.NoError(t, rows.Err())
	}
	return out.String()
}

// requireReadable checks that a store opens every value back.
func requireReadable(t *testing.T, st *store.Store, name string) {
	t.Helper()

	set, err := providers.BuildProviders(t.Context(), st.Queries)
	require.NoError(t, err)
	p, ok := set.Get(name)
	require.True(t, ok)
	require.Equal(t, []string{apiKey + name}, p.Keys)
	require.Equal(t, awsKey, p.Bedrock.Credentials[0].AccessKey)
	require.Equal(t, awsSecret+name, p.Bedrock.Credentials[0].Secret)

	user, err := st.Queries.GetUserByUsername(t.Context(), name)
	require.NoError(t, err)
	secret, err := st.Queries.GetUserSecret(t.Context(), db.GetUserSecretParams{
		UserID: user.ID, Name: "byok:" + name,
	})
	require.NoError(t, err)
	require.Equal(t, userSecret+name, secret.Value)
}

func requireNoPlainSecret(t *testing.T, dump string) {
	t.Helper()
	for _, s := range []string{apiKey, awsKey, awsSecret, userSecret} {
		require.NotContains(t, dump, s)
	}
}

func TestSealedOnWriteOpenedOnRead(t *testing.T) {
	t.Parallel()

	k1 := randomKey(t)
	st := dbtest.NewStore(t).WithCipher(cipherOf(t, k1))
	seed(t, st, "corp")

	raw := rawValues(t, st)
	requireNoPlainSecret(t, raw)
	require.Contains(t, raw, "dbcrypt:v1:"+dbcrypt.Digest(k1))
	requireReadable(t, st, "corp")

	// A later key list, with the old key for reading only, still opens it.
	requireReadable(t, st.WithCipher(cipherOf(t, randomKey(t), k1)), "corp")
}

func TestPlainWithoutKeys(t *testing.T) {
	t.Parallel()

	st := dbtest.NewStore(t).WithCipher(nil)
	seed(t, st, "plain")
	require.Contains(t, rawValues(t, st), apiKey+"plain")
	requireReadable(t, st, "plain")
}

func TestRotateDecryptDelete(t *testing.T) {
	t.Parallel()

	ctx := t.Context()
	k1, k2 := randomKey(t), randomKey(t)
	base := dbtest.NewStore(t)
	seed(t, base.WithCipher(nil), "plain")
	seed(t, base.WithCipher(cipherOf(t, k1)), "old")
	seed(t, base.WithCipher(cipherOf(t, k2)), "new")
	raw := db.New(base.Pool)

	// Rotate seals everything with the active key, plain values included.
	both := cipherOf(t, k2, k1)
	totals, err := dbcrypt.Maintain(ctx, raw, both, dbcrypt.Rotate, nil)
	require.NoError(t, err)
	require.Equal(t, []dbcrypt.Progress{
		{Table: "ai_provider_keys", Scanned: 3, Changed: 2},
		{Table: "user_secrets", Scanned: 3, Changed: 2},
		{Table: "ai_providers.settings", Scanned: 3, Changed: 2},
	}, totals)
	requireNoPlainSecret(t, rawValues(t, base))
	require.NotContains(t, rawValues(t, base), dbcrypt.Digest(k1))
	onlyNew := base.WithCipher(cipherOf(t, k2))
	for _, name := range []string{"plain", "old", "new"} {
		requireReadable(t, onlyNew, name)
	}

	// A second rotation has nothing left to do.
	totals, err = dbcrypt.Maintain(ctx, raw, both, dbcrypt.Rotate, nil)
	require.NoError(t, err)
	for _, p := range totals {
		require.Zero(t, p.Changed, p.Table)
	}

	// Decrypt turns everything back into plain text.
	_, err = dbcrypt.Maintain(ctx, raw, cipherOf(t, k2), dbcrypt.Decrypt, nil)
	require.NoError(t, err)
	require.NotContains(t, rawValues(t, base), "dbcrypt:")
	requireReadable(t, base.WithCipher(nil), "old")

	// Delete removes sealed values and keeps plain ones.
	seed(t, base.WithCipher(cipherOf(t, k1)), "sealed")
	_, err = dbcrypt.Maintain(ctx, raw, nil, dbcrypt.Delete, nil)
	require.NoError(t, err)
	left := rawValues(t, base)
	require.NotContains(t, left, "dbcrypt:")
	require.Contains(t, left, apiKey+"old")
	require.NotContains(t, left, awsSecret+"sealed")
}

func TestMissingKeyNamed(t *testing.T) {
	t.Parallel()

	k1 := randomKey(t)
	st := dbtest.NewStore(t).WithCipher(cipherOf(t, k1))
	seed(t, st, "corp")

	_, err := providers.BuildProviders(t.Context(), st.WithCipher(cipherOf(t, randomKey(t))).Queries)
	require.ErrorIs(t, err, dbcrypt.ErrKeyMissing)
	require.Contains(t, err.Error(), dbcrypt.Digest(k1))
}

// TestDumpHoldsNoSecret dumps a database with pg_dump and looks for every
// secret in it.
func TestDumpHoldsNoSecret(t *testing.T) {
	t.Parallel()

	url := dbtest.NewURL(t)
	st, err := store.Open(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	seed(t, st.WithCipher(cipherOf(t, randomKey(t))), "dumped")

	bin, err := pgcluster.FindBinaries()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(bin, "pg_dump"), "--dbname", url).Output()
	require.NoError(t, err)
	dump := string(out)
	require.Contains(t, dump, "COPY public.ai_provider_keys", "the dump holds the tables")
	requireNoPlainSecret(t, dump)
}
