package cli_test

import (
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/store"
)

// TestDBCryptCommands seals a plain provider key with rotate, opens it
// again with decrypt, and refuses decrypt and delete without --confirm.
func TestDBCryptCommands(t *testing.T) {
	t.Parallel()

	url := dbtest.NewURL(t)
	st, err := store.Open(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	const key = "sk-test-plain-before-rotation-00001"
	_, err = providers.Insert(t.Context(), st.Queries, providers.Spec{
		Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
		Keys: []string{key},
	}, uuid.NullUUID{})
	require.NoError(t, err)

	raw := make([]byte, dbcrypt.KeySize)
	_, err = rand.Read(raw)
	require.NoError(t, err)
	env := []string{"CODER_AI_GATEWAY_ENCRYPTION_KEYS=" + base64.StdEncoding.EncodeToString(raw)}
	stored := func() string {
		var v string
		require.NoError(t, st.Pool.QueryRow(t.Context(), "SELECT key FROM ai_provider_keys").Scan(&v))
		return v
	}
	args := func(op string, extra ...string) []string {
		return append([]string{
			"server", "dbcrypt", op, "--postgres-url", url,
			"--data-dir", t.TempDir(),
		}, extra...)
	}

	code, out, stderr := run(t, env, args("rotate")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "rotate total ai_provider_keys: 1 rows scanned, 1 changed")
	digest, sealed := dbcrypt.IsSealed(stored())
	require.True(t, sealed)
	require.Equal(t, dbcrypt.Digest(raw), digest)

	for _, op := range []string{"decrypt", "delete"} {
		code, _, stderr = run(t, env, args(op)...)
		require.Equal(t, 1, code)
		require.Contains(t, lastLine(stderr), "run it again with --confirm")
	}
	require.NotEqual(t, key, stored(), "nothing changed without --confirm")

	code, out, stderr = run(t, env, args("decrypt", "--confirm")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "decrypt total ai_provider_keys: 1 rows scanned, 1 changed")
	require.Equal(t, key, stored())
}
