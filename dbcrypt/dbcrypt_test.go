package dbcrypt_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbcrypt"
)

func randomKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, dbcrypt.KeySize)
	_, err := rand.Read(k)
	require.NoError(t, err)
	return k
}

func TestSealOpen(t *testing.T) {
	t.Parallel()

	oldKey, newKey := randomKey(t), randomKey(t)
	old, err := dbcrypt.New([][]byte{oldKey})
	require.NoError(t, err)
	both, err := dbcrypt.New([][]byte{newKey, oldKey})
	require.NoError(t, err)

	sealed, err := old.Seal("ai_provider_keys.key", "sk-secret-value")
	require.NoError(t, err)
	require.NotContains(t, sealed, "sk-secret-value")
	digest, ok := dbcrypt.IsSealed(sealed)
	require.True(t, ok)
	require.Equal(t, dbcrypt.Digest(oldKey), digest)

	// A newer key list still opens what the older key sealed.
	plain, err := both.Open("ai_provider_keys.key", sealed)
	require.NoError(t, err)
	require.Equal(t, "sk-secret-value", plain)

	// The purpose binds the value to its column.
	_, err = both.Open("user_secrets.value", sealed)
	require.Error(t, err)

	// A key list without the sealing key cannot open it, and says which
	// key it lacks.
	other, err := dbcrypt.New([][]byte{newKey})
	require.NoError(t, err)
	_, err = other.Open("ai_provider_keys.key", sealed)
	require.ErrorIs(t, err, dbcrypt.ErrKeyMissing)
	require.Contains(t, err.Error(), digest)

	// Plain values pass through, with or without keys.
	var none *dbcrypt.Cipher
	for _, c := range []*dbcrypt.Cipher{none, both} {
		plain, err := c.Open("x", "plain-value")
		require.NoError(t, err)
		require.Equal(t, "plain-value", plain)
	}
	sealedNone, err := none.Seal("x", "plain-value")
	require.NoError(t, err)
	require.Equal(t, "plain-value", sealedNone)
}

func TestSealIsRandomised(t *testing.T) {
	t.Parallel()

	c, err := dbcrypt.New([][]byte{randomKey(t)})
	require.NoError(t, err)
	a, err := c.Seal("p", "same")
	require.NoError(t, err)
	b, err := c.Seal("p", "same")
	require.NoError(t, err)
	require.NotEqual(t, a, b)
}

func TestParseKeys(t *testing.T) {
	t.Parallel()

	good := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	short := base64.StdEncoding.EncodeToString([]byte("short"))
	tests := []struct {
		name, list, err string
		n               int
	}{
		{name: "Empty", list: ""},
		{name: "One", list: good, n: 1},
		{name: "Two", list: good + " , " + other, n: 2},
		{name: "NotBase64", list: good + ",!!!", err: "encryption key 2: not valid base64"},
		{name: "Short", list: short, err: "encryption key 1: 5 bytes, want 32"},
		{name: "Repeat", list: good + "," + good, err: "encryption key 2 repeats key 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			keys, err := dbcrypt.ParseKeys(tc.list)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				require.False(t, strings.Contains(err.Error(), good), "no key value in errors")
				return
			}
			require.NoError(t, err)
			require.Len(t, keys, tc.n)
		})
	}
}
