package providers_test

import (
	"testing"

	"github.com/aigateway/aigateway/providers"
)

// Prefixes of the single-provider variables.
const (
	gw = "CODER_AI_GATEWAY_"
	ab = "CODER_AIBRIDGE_"
)

func TestParseEnvLegacy(t *testing.T) {
	t.Parallel()

	openai := func(keysVar string, keys ...string) providers.Spec {
		return providers.Spec{
			Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
			Keys: keys, KeysVar: keysVar,
		}
	}
	anthropic := func(keysVar string, keys ...string) providers.Spec {
		return providers.Spec{
			Name: "anthropic", Type: providers.TypeAnthropic,
			BaseURL: "https://api.anthropic.com", Keys: keys, KeysVar: keysVar,
		}
	}
	withBedrock := func(s providers.Spec, b *providers.Bedrock) providers.Spec {
		s.Bedrock = b
		return s
	}

	runParseCases(t, []parseCase{
		{
			name:    "openai key",
			environ: []string{gw + "OPENAI_KEY=" + keyA},
			want:    []providers.Spec{openai(gw+"OPENAI_KEY", keyA)},
		},
		{
			name:    "openai key in deprecated spelling",
			environ: []string{ab + "OPENAI_KEY=" + keyA},
			want:    []providers.Spec{openai(ab+"OPENAI_KEY", keyA)},
			warnings: []string{
				ab + "OPENAI_KEY is deprecated; use " + gw + "OPENAI_KEY",
			},
		},
		{
			name:     "both spellings agree",
			environ:  []string{ab + "OPENAI_KEY=" + keyA, gw + "OPENAI_KEY=" + keyA},
			want:     []providers.Spec{openai(gw+"OPENAI_KEY", keyA)},
			warnings: []string{ab + "OPENAI_KEY is deprecated and repeats " + gw + "OPENAI_KEY"},
		},
		{
			name:    "key list",
			environ: []string{gw + "ANTHROPIC_KEY=" + keyA + ", " + keyB + "," + keyC},
			want:    []providers.Spec{anthropic(gw+"ANTHROPIC_KEY", keyA, keyB, keyC)},
		},
		{
			name:    "base url only",
			environ: []string{ab + "OPENAI_BASE_URL=https://Gateway.Example.com/openai/v1/"},
			want: []providers.Spec{{
				Name: "openai", Type: providers.TypeOpenAI,
				BaseURL: "https://gateway.example.com/openai/v1",
			}},
			warnings: []string{ab + "OPENAI_BASE_URL is deprecated"},
		},
		{
			name: "bedrock only",
			environ: []string{
				gw + "BEDROCK_REGION=us-east-1",
				gw + "BEDROCK_BASE_URL=https://Bedrock.Example.com/",
				gw + "BEDROCK_MODEL=anthropic.claude-sonnet",
				ab + "BEDROCK_SMALL_FAST_MODEL=anthropic.claude-haiku",
				gw + "BEDROCK_ACCESS_KEY=" + awsKeyA + "," + awsKeyB,
				ab + "BEDROCK_ACCESS_KEY_SECRET=" + awsSecA + "," + awsSecB,
			},
			want: []providers.Spec{withBedrock(anthropic(""), wantBedrock())},
			warnings: []string{
				ab + "BEDROCK_ACCESS_KEY_SECRET is deprecated",
				ab + "BEDROCK_SMALL_FAST_MODEL is deprecated",
			},
		},
		{
			name: "bedrock details dropped for a bearer key",
			environ: []string{
				gw + "ANTHROPIC_KEY=" + keyA, gw + "BEDROCK_REGION=us-east-1",
			},
			want: []providers.Spec{anthropic(gw+"ANTHROPIC_KEY", keyA)},
			warnings: []string{
				gw + "BEDROCK_REGION ignored: the provider authenticates with " +
					gw + "ANTHROPIC_KEY",
			},
		},
		{
			name: "bedrock kept beside a bearer key",
			environ: []string{
				gw + "ANTHROPIC_KEY=" + keyA, gw + "BEDROCK_REGION=us-east-1",
				gw + "BEDROCK_ACCESS_KEY=" + awsKeyA, gw + "BEDROCK_ACCESS_KEY_SECRET=" + awsSecA,
			},
			want: []providers.Spec{withBedrock(anthropic(gw+"ANTHROPIC_KEY", keyA),
				&providers.Bedrock{
					Region:      "us-east-1",
					Credentials: []providers.AWSCredential{{AccessKey: awsKeyA, Secret: awsSecA}},
				})},
		},
		{
			name: "indexed before legacy",
			environ: []string{
				gw + "ANTHROPIC_KEY=" + keyA, gw + "OPENAI_KEY=" + keyB,
				p0 + "TYPE=openai", p0 + "NAME=openai-corp",
			},
			want: []providers.Spec{
				{Name: "openai-corp", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1"},
				openai(gw+"OPENAI_KEY", keyB),
				anthropic(gw+"ANTHROPIC_KEY", keyA),
			},
		},
		{
			name: "dump dirs ignored",
			environ: []string{
				ab + "OPENAI_DUMP_DIR=/tmp/a", gw + "OPENAI_DUMP_DIR=/tmp/b",
				ab + "ANTHROPIC_DUMP_DIR=/tmp/c", gw + "ANTHROPIC_DUMP_DIR=/tmp/d",
			},
			warnings: []string{
				gw + "OPENAI_DUMP_DIR is ignored",
				ab + "OPENAI_DUMP_DIR is ignored",
				gw + "ANTHROPIC_DUMP_DIR is ignored",
				ab + "ANTHROPIC_DUMP_DIR is ignored: per-provider dump directories are no " +
					"longer supported; set CODER_AI_GATEWAY_DUMP_DIR instead",
			},
		},
	})
}

func TestParseEnvLegacyErrors(t *testing.T) {
	t.Parallel()

	runErrorCases(t, []errorCase{
		{
			name:     "spellings disagree",
			environ:  []string{ab + "OPENAI_KEY=" + keyA, gw + "OPENAI_KEY=" + keyB},
			wantVars: []string{ab + "OPENAI_KEY", gw + "OPENAI_KEY"},
		},
		{
			name:     "region spellings disagree",
			environ:  []string{ab + "BEDROCK_REGION=us-east-1", gw + "BEDROCK_REGION=eu-west-1"},
			wantVars: []string{ab + "BEDROCK_REGION", gw + "BEDROCK_REGION"},
		},
		{
			name:     "repeated key",
			environ:  []string{ab + "ANTHROPIC_KEY=" + keyA + "," + keyA},
			wantVars: []string{ab + "ANTHROPIC_KEY", "repeats"},
		},
		{
			name: "too many keys",
			environ: []string{
				gw + "OPENAI_KEY=" + keyA + ",b1234567890,c1234567890,d1234567890,e1234567890," + keyB,
			},
			wantVars: []string{gw + "OPENAI_KEY", "lists 6 entries"},
		},
		{
			name:     "base url invalid",
			environ:  []string{gw + "ANTHROPIC_BASE_URL=mailto:ops@example.com"},
			wantVars: []string{gw + "ANTHROPIC_BASE_URL"},
		},
		{
			name:     "bedrock access key without secret",
			environ:  []string{ab + "BEDROCK_ACCESS_KEY=" + awsKeyA},
			wantVars: []string{ab + "BEDROCK_ACCESS_KEY", gw + "BEDROCK_ACCESS_KEY_SECRET"},
		},
		{
			name: "bedrock counts differ",
			environ: []string{
				gw + "BEDROCK_ACCESS_KEY=" + awsKeyA,
				gw + "BEDROCK_ACCESS_KEY_SECRET=" + awsSecA + "," + awsSecB,
			},
			wantVars: []string{gw + "BEDROCK_ACCESS_KEY", gw + "BEDROCK_ACCESS_KEY_SECRET"},
		},
		{
			name:     "indexed name defaults into a legacy provider",
			environ:  []string{p0 + "TYPE=openai", ab + "OPENAI_KEY=" + keyA},
			wantVars: []string{p0 + "TYPE", ab + "OPENAI_KEY", "with " + p0 + "NAME"},
		},
		{
			name: "indexed name takes a legacy provider",
			environ: []string{
				d0 + "TYPE=copilot", d0 + "NAME=anthropic",
				gw + "ANTHROPIC_BASE_URL=https://example.com", gw + "BEDROCK_REGION=us-east-1",
			},
			wantVars: []string{
				d0 + "NAME", gw + "ANTHROPIC_BASE_URL, " + gw + "BEDROCK_REGION",
				"with " + d0 + "NAME", "remove the legacy variables",
			},
		},
	})
}
