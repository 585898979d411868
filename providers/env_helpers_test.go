package providers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/providers"
)

// Prefixes of indexed provider variables, to keep the tables readable.
const (
	p0 = "CODER_AI_GATEWAY_PROVIDER_0_"
	p1 = "CODER_AI_GATEWAY_PROVIDER_1_"
	p2 = "CODER_AI_GATEWAY_PROVIDER_2_"
	d0 = "CODER_AIBRIDGE_PROVIDER_0_"
	d1 = "CODER_AIBRIDGE_PROVIDER_1_"
)

// Secrets used across the tests. Error messages must never contain them.
const (
	keyA    = "sk-test-alpha-0000000000000001"
	keyB    = "sk-test-bravo-0000000000000002"
	keyC    = "sk-test-charlie-000000000000003"
	awsKeyA = "AKIATESTALPHA0000001"
	awsKeyB = "AKIATESTBRAVO0000002"
	awsSecA = "aws/secret+alpha/000000000000000000000001"
	awsSecB = "aws/secret+bravo/000000000000000000000002"
)

// parseCase is one ParseEnv case that succeeds.
type parseCase struct {
	name     string
	environ  []string
	want     []providers.Spec
	warnings []string // substrings, one per expected warning, in order
}

// errorCase is one ParseEnv case that fails.
type errorCase struct {
	name    string
	environ []string
	// wantVars must each appear in the error.
	wantVars []string
	// wantErrs is the number of errors joined together.
	wantErrs int
}

// runParseCases runs cases that must parse.
func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			cfg, err := providers.ParseEnv(tc.environ)
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg.Providers)

			require.Len(t, cfg.Warnings, len(tc.warnings), "warnings: %q", cfg.Warnings)
			for i, w := range tc.warnings {
				require.Contains(t, cfg.Warnings[i], w)
			}
			for _, w := range cfg.Warnings {
				requireNoSecrets(t, w, tc.environ)
			}
		})
	}
}

// runErrorCases runs cases that must fail.
func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			cfg, err := providers.ParseEnv(tc.environ)
			require.Error(t, err)
			require.Empty(t, cfg.Providers)

			var envErr *providers.EnvError
			require.ErrorAs(t, err, &envErr)
			for _, want := range tc.wantVars {
				require.Contains(t, err.Error(), want)
			}

			wantErrs := max(tc.wantErrs, 1)
			require.Len(t, strings.Split(err.Error(), "\n"), wantErrs, "errors: %v", err)
			requireNoSecrets(t, err.Error(), tc.environ)
			for _, w := range cfg.Warnings {
				requireNoSecrets(t, w, tc.environ)
			}
		})
	}
}

// requireNoSecrets fails when msg contains any value, or any entry of a
// list value, of a key, secret or URL variable in environ.
func requireNoSecrets(t *testing.T, msg string, environ []string) {
	t.Helper()

	for _, entry := range environ {
		name, value, _ := strings.Cut(entry, "=")
		if !strings.Contains(name, "KEY") && !strings.Contains(name, "SECRET") &&
			!strings.Contains(name, "URL") {
			continue
		}
		for _, part := range append(strings.Split(value, ","), value) {
			part = strings.TrimSpace(part)
			if part != "" {
				require.NotContains(t, msg, part, "message leaks the value of %s", name)
			}
		}
	}
}

// bedrockEnv returns a full Bedrock configuration under prefix, with extra
// entries (field=value) added or overriding.
func bedrockEnv(prefix string, extra ...string) []string {
	fields := []string{
		"BEDROCK_REGION=us-east-1",
		"BEDROCK_BASE_URL=https://Bedrock.Example.com/",
		"BEDROCK_MODEL=anthropic.claude-sonnet",
		"BEDROCK_SMALL_FAST_MODEL=anthropic.claude-haiku",
		"BEDROCK_ACCESS_KEYS=" + awsKeyA + ", " + awsKeyB,
		"BEDROCK_ACCESS_KEY_SECRETS=" + awsSecA + "," + awsSecB,
	}
	environ := make([]string, 0, len(fields)+len(extra))
	for _, f := range append(extra, fields...) {
		environ = append(environ, prefix+f)
	}
	return environ
}

// wantBedrock is what bedrockEnv parses to.
func wantBedrock() *providers.Bedrock {
	return &providers.Bedrock{
		Region:         "us-east-1",
		BaseURL:        "https://bedrock.example.com",
		Model:          "anthropic.claude-sonnet",
		SmallFastModel: "anthropic.claude-haiku",
		Credentials: []providers.AWSCredential{
			{AccessKey: awsKeyA, Secret: awsSecA},
			{AccessKey: awsKeyB, Secret: awsSecB},
		},
	}
}

// manyProviders configures n openai providers named p0, p1 and so on, listed
// in reverse so that parsing has to order them.
func manyProviders(n int) []string {
	var environ []string
	for i := n - 1; i >= 0; i-- {
		prefix := fmt.Sprintf("CODER_AI_GATEWAY_PROVIDER_%d_", i)
		environ = append(environ, prefix+"TYPE=openai", fmt.Sprintf("%sNAME=p%d", prefix, i))
	}
	return environ
}

// manySpecs is what manyProviders parses to.
func manySpecs(n int) []providers.Spec {
	specs := make([]providers.Spec, 0, n)
	for i := range n {
		specs = append(specs, providers.Spec{
			Name: fmt.Sprintf("p%d", i), Type: providers.TypeOpenAI,
			BaseURL: "https://api.openai.com/v1",
		})
	}
	return specs
}
