package apitoken_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/apitoken"
)

func TestNewParses(t *testing.T) {
	t.Parallel()

	tok, err := apitoken.New()
	require.NoError(t, err)
	require.Regexp(t, `^[a-z0-9]{10}-[A-Za-z0-9_-]{43}$`, tok.String())

	parsed, err := apitoken.Parse(tok.String())
	require.NoError(t, err)
	require.Equal(t, tok, parsed)
	require.True(t, parsed.Matches(tok.Hash()))

	other, err := apitoken.New()
	require.NoError(t, err)
	require.NotEqual(t, tok.ID, other.ID)
	require.False(t, other.Matches(tok.Hash()))
}

func TestParse(t *testing.T) {
	t.Parallel()

	secret := strings.Repeat("A", 43)
	tests := []struct {
		name  string
		input string
		ok    bool
	}{
		{name: "Valid", input: "abcdefghij-" + secret, ok: true},
		{name: "SecretWithDash", input: "abcdefghij-" + secret[:42] + "-", ok: true},
		{name: "Empty", input: ""},
		{name: "NoDash", input: "abcdefghij" + secret},
		{name: "ShortID", input: "abc-" + secret},
		{name: "UppercaseID", input: "ABCDEFGHIJ-" + secret},
		{name: "ShortSecret", input: "abcdefghij-" + secret[:20]},
		{name: "PaddedSecret", input: "abcdefghij-" + secret + "="},
		{name: "BadAlphabet", input: "abcdefghij-" + secret[:42] + "+"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			_, err := apitoken.Parse(tc.input)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, apitoken.ErrMalformed)
		})
	}
}
