package providers_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/providers"
)

func TestValidName(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		input string
		want  bool
	}{
		{name: "letters", input: "openai", want: true},
		{name: "digits", input: "42", want: true},
		{name: "hyphenated", input: "anthropic-corp-2", want: true},
		{name: "empty", input: "", want: false},
		{name: "uppercase", input: "OpenAI", want: false},
		{name: "underscore", input: "open_ai", want: false},
		{name: "space", input: "open ai", want: false},
		{name: "leading hyphen", input: "-openai", want: false},
		{name: "trailing hyphen", input: "openai-", want: false},
		{name: "double hyphen", input: "open--ai", want: false},
		{name: "non ascii letter", input: "opénai", want: false},
		{name: "slash", input: "open/ai", want: false},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tc.want, providers.ValidName(tc.input))
		})
	}
}

func TestTypeKnown(t *testing.T) {
	t.Parallel()

	require.True(t, providers.TypeOpenAI.Known())
	require.True(t, providers.TypeAnthropic.Known())
	require.False(t, providers.Type("copilot").Known())
	require.False(t, providers.Type("").Known())
	require.Empty(t, providers.DefaultBaseURL("copilot"))
}

func TestNormaliseBaseURL(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		raw     string
		want    string
		wantErr error
	}{
		{
			name: "already canonical",
			raw:  "https://api.openai.com/v1", want: "https://api.openai.com/v1",
		},
		{
			name: "trailing slashes",
			raw:  "https://api.openai.com/v1//", want: "https://api.openai.com/v1",
		},
		{name: "root slash", raw: "https://api.anthropic.com/", want: "https://api.anthropic.com"},
		{
			name: "uppercase scheme and host",
			raw:  "HTTP://LocalHost:8080/V1", want: "http://localhost:8080/V1",
		},
		{name: "ipv6 host", raw: "http://[::1]:8080/", want: "http://[::1]:8080"},
		{name: "escaped path", raw: "https://example.com/a%2Fb/", want: "https://example.com/a%2Fb"},
		{name: "relative", raw: "/v1", wantErr: providers.ErrInvalidBaseURL},
		{name: "no scheme", raw: "api.openai.com", wantErr: providers.ErrInvalidBaseURL},
		{name: "other scheme", raw: "ws://example.com", wantErr: providers.ErrInvalidBaseURL},
		{name: "no host", raw: "https://", wantErr: providers.ErrInvalidBaseURL},
		{name: "port only", raw: "https://:443", wantErr: providers.ErrInvalidBaseURL},
		{name: "opaque", raw: "https:example.com", wantErr: providers.ErrInvalidBaseURL},
		{name: "unparsable", raw: "https://exa mple.com/%zz", wantErr: providers.ErrInvalidBaseURL},
		{
			name: "user credentials", raw: "https://me:" + keyA + "@example.com",
			wantErr: providers.ErrBaseURLCredentials,
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			got, err := providers.NormaliseBaseURL(tc.raw)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.NotContains(t, err.Error(), tc.raw)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
