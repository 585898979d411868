package providers_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/providers"
)

// hashSpec returns a fully populated spec for the hash tests.
func hashSpec() providers.Spec {
	return providers.Spec{
		Name:    "anthropic-corp",
		Type:    providers.TypeAnthropic,
		BaseURL: "https://api.anthropic.com",
		Keys:    []string{keyA, keyB},
		KeysVar: p0 + "KEYS",
		Bedrock: wantBedrock(),
	}
}

func TestSpecHashGolden(t *testing.T) {
	t.Parallel()

	// The hash is stored beside each provider, so a change of encoding makes
	// every stored provider look changed. Bump hashDomain when that is meant.
	sum := hashSpec().Hash()
	require.Equal(t,
		"f4b80d798c41803900bcf6cd4cec7cdc1a8e861a78bc7a9c164558d46aa1ccc1",
		hex.EncodeToString(sum[:]))
}

func TestSpecHash(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name     string
		mutate   func(s *providers.Spec)
		wantDiff []string
	}{
		{
			name:   "same spec",
			mutate: func(*providers.Spec) {},
		},
		{
			name:   "name changed",
			mutate: func(s *providers.Spec) { s.Name = "other" },
		},
		{
			name:   "keys changed",
			mutate: func(s *providers.Spec) { s.Keys = []string{keyC} },
		},
		{
			name:   "keys removed",
			mutate: func(s *providers.Spec) { s.Keys, s.KeysVar = nil, "" },
		},
		{
			name:   "base url spelled differently",
			mutate: func(s *providers.Spec) { s.BaseURL = "HTTPS://API.Anthropic.com//" },
		},
		{
			name:   "base url left to the default",
			mutate: func(s *providers.Spec) { s.BaseURL = "" },
		},
		{
			name:   "bedrock base url spelled differently",
			mutate: func(s *providers.Spec) { s.Bedrock.BaseURL = "https://BEDROCK.example.com/" },
		},
		{
			name:     "type changed",
			mutate:   func(s *providers.Spec) { s.Type = providers.TypeOpenAI },
			wantDiff: []string{"type"},
		},
		{
			name: "type changed with the default base url",
			mutate: func(s *providers.Spec) {
				s.Type, s.BaseURL = providers.TypeOpenAI, ""
			},
			wantDiff: []string{"type", "base_url"},
		},
		{
			name:     "base url changed",
			mutate:   func(s *providers.Spec) { s.BaseURL = "https://proxy.example.com" },
			wantDiff: []string{"base_url"},
		},
		{
			name:     "base url path case changed",
			mutate:   func(s *providers.Spec) { s.BaseURL = "https://api.anthropic.com/V1" },
			wantDiff: []string{"base_url"},
		},
		{
			name:     "bedrock region changed",
			mutate:   func(s *providers.Spec) { s.Bedrock.Region = "eu-west-1" },
			wantDiff: []string{"bedrock.region"},
		},
		{
			name:     "bedrock base url changed",
			mutate:   func(s *providers.Spec) { s.Bedrock.BaseURL = "" },
			wantDiff: []string{"bedrock.base_url"},
		},
		{
			name:     "bedrock model changed",
			mutate:   func(s *providers.Spec) { s.Bedrock.Model = "anthropic.claude-opus" },
			wantDiff: []string{"bedrock.model"},
		},
		{
			name:     "bedrock small fast model changed",
			mutate:   func(s *providers.Spec) { s.Bedrock.SmallFastModel = "" },
			wantDiff: []string{"bedrock.small_fast_model"},
		},
		{
			name:     "bedrock access key changed",
			mutate:   func(s *providers.Spec) { s.Bedrock.Credentials[1].AccessKey = awsKeyA },
			wantDiff: []string{"bedrock.access_key"},
		},
		{
			name:     "bedrock secret changed",
			mutate:   func(s *providers.Spec) { s.Bedrock.Credentials[0].Secret = awsSecB },
			wantDiff: []string{"bedrock.access_key_secret"},
		},
		{
			name: "bedrock credential removed",
			mutate: func(s *providers.Spec) {
				s.Bedrock.Credentials = s.Bedrock.Credentials[:1]
			},
			wantDiff: []string{"bedrock.access_key", "bedrock.access_key_secret"},
		},
		{
			name: "bedrock credentials reordered",
			mutate: func(s *providers.Spec) {
				c := s.Bedrock.Credentials
				c[0], c[1] = c[1], c[0]
			},
			wantDiff: []string{"bedrock.access_key", "bedrock.access_key_secret"},
		},
		{
			name: "value moved across a field boundary",
			mutate: func(s *providers.Spec) {
				s.Bedrock.Region, s.Bedrock.Model = "us-east-1anthropic", ".claude-sonnet"
			},
			wantDiff: []string{"bedrock.region", "bedrock.model"},
		},
		{
			name:   "bedrock removed",
			mutate: func(s *providers.Spec) { s.Bedrock = nil },
			wantDiff: []string{
				"bedrock.region", "bedrock.base_url", "bedrock.model",
				"bedrock.small_fast_model", "bedrock.access_key", "bedrock.access_key_secret",
			},
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			base, changed := hashSpec(), hashSpec()
			tc.mutate(&changed)

			require.Equal(t, tc.wantDiff, base.Diff(changed))
			require.Equal(t, tc.wantDiff, changed.Diff(base))
			if len(tc.wantDiff) == 0 {
				require.Equal(t, base.Hash(), changed.Hash())
			} else {
				require.NotEqual(t, base.Hash(), changed.Hash())
			}
		})
	}
}

func TestSpecHashEmptyBedrock(t *testing.T) {
	t.Parallel()

	without := providers.Spec{Type: providers.TypeAnthropic}
	empty := providers.Spec{Type: providers.TypeAnthropic, Bedrock: &providers.Bedrock{}}
	require.Equal(t, without.Hash(), empty.Hash())
	require.Empty(t, without.Diff(empty))
}

func TestSpecHashUnknownType(t *testing.T) {
	t.Parallel()

	// An unknown type has no default base URL, so an empty one stays empty
	// and a malformed stored one is hashed as it is.
	a := providers.Spec{Type: "copilot"}
	b := providers.Spec{Type: "copilot", BaseURL: "not a url"}
	require.Equal(t, a.Hash(), providers.Spec{Type: "copilot"}.Hash())
	require.Equal(t, []string{"base_url"}, a.Diff(b))
}

func TestSpecHashFromEnv(t *testing.T) {
	t.Parallel()

	// Two environments that differ only in keys and spelling describe the
	// same configuration.
	first, err := providers.ParseEnv(bedrockEnv(p0, "TYPE=anthropic", "KEY="+keyA,
		"BASE_URL=https://API.anthropic.com/"))
	require.NoError(t, err)
	second, err := providers.ParseEnv(bedrockEnv(d0, "TYPE=anthropic", "KEYS="+keyB+","+keyC))
	require.NoError(t, err)

	require.Equal(t, first.Providers[0].Hash(), second.Providers[0].Hash())
}
