package providers_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/providers"
)

func TestParseEnvIndexed(t *testing.T) {
	t.Parallel()

	runParseCases(t, []parseCase{
		{
			name:    "entries without a name",
			environ: []string{"NO_VALUE", "=C:=C:\\", "=", ""},
		},
		{
			name:    "empty environment",
			environ: []string{"HOME=/root", "PATH=/bin", "CODER_AI_GATEWAY_DUMP_DIR=/tmp/d"},
		},
		{
			name:    "type only",
			environ: []string{p0 + "TYPE=openai"},
			want: []providers.Spec{{
				Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
			}},
		},
		{
			name: "name keys and base url",
			environ: []string{
				p0 + "TYPE=anthropic",
				p0 + "NAME=anthropic-corp",
				p0 + "KEYS= " + keyA + " , " + keyB + " ",
				p0 + "BASE_URL=HTTPS://Proxy.Example.COM/Anthropic/",
			},
			want: []providers.Spec{{
				Name: "anthropic-corp", Type: providers.TypeAnthropic,
				BaseURL: "https://proxy.example.com/Anthropic",
				Keys:    []string{keyA, keyB}, KeysVar: p0 + "KEYS",
			}},
		},
		{
			name:    "key holding a list",
			environ: []string{p0 + "TYPE=openai", p0 + "KEY=" + keyA + "," + keyB},
			want: []providers.Spec{{
				Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
				Keys: []string{keyA, keyB}, KeysVar: p0 + "KEY",
			}},
		},
		{
			name: "http base url with port and query",
			environ: []string{
				p0 + "TYPE=openai", p0 + "BASE_URL=http://127.0.0.1:8080/v1/?api-version=1",
			},
			want: []providers.Spec{{
				Name: "openai", Type: providers.TypeOpenAI,
				BaseURL: "http://127.0.0.1:8080/v1?api-version=1",
			}},
		},
		{
			name:    "unknown type",
			environ: []string{p0 + "TYPE=copilot", p0 + "KEY=" + keyA},
			want: []providers.Spec{{
				Name: "copilot", Type: "copilot", Keys: []string{keyA}, KeysVar: p0 + "KEY",
			}},
		},
		{
			name:    "type in mixed case",
			environ: []string{p0 + "TYPE= OpenAI "},
			want: []providers.Spec{{
				Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
			}},
		},
		{
			name:    "deprecated spelling",
			environ: []string{d0 + "TYPE=openai", d0 + "KEY=" + keyA},
			want: []providers.Spec{{
				Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
				Keys: []string{keyA}, KeysVar: d0 + "KEY",
			}},
			warnings: []string{
				d0 + "KEY is deprecated; use " + p0 + "KEY",
				d0 + "TYPE is deprecated; use " + p0 + "TYPE",
			},
		},
		{
			name: "spellings differ between indices",
			environ: []string{
				p0 + "TYPE=openai", d1 + "TYPE=anthropic",
			},
			want: []providers.Spec{
				{Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1"},
				{
					Name: "anthropic", Type: providers.TypeAnthropic,
					BaseURL: "https://api.anthropic.com",
				},
			},
			warnings: []string{d1 + "TYPE is deprecated; use " + p1 + "TYPE"},
		},
		{
			name:    "bedrock with credentials",
			environ: bedrockEnv(p0, "TYPE=anthropic"),
			want: []providers.Spec{{
				Name: "anthropic", Type: providers.TypeAnthropic,
				BaseURL: "https://api.anthropic.com", Bedrock: wantBedrock(),
			}},
		},
		{
			name:    "bedrock with credentials and a bearer key",
			environ: bedrockEnv(p0, "TYPE=anthropic", "KEY="+keyA),
			want: []providers.Spec{{
				Name: "anthropic", Type: providers.TypeAnthropic,
				BaseURL: "https://api.anthropic.com", Bedrock: wantBedrock(),
				Keys: []string{keyA}, KeysVar: p0 + "KEY",
			}},
		},
		{
			name: "bedrock details dropped for a bearer key",
			environ: []string{
				p0 + "TYPE=anthropic", p0 + "KEY=" + keyA,
				p0 + "BEDROCK_REGION=us-east-1", p0 + "BEDROCK_MODEL=claude",
			},
			want: []providers.Spec{{
				Name: "anthropic", Type: providers.TypeAnthropic,
				BaseURL: "https://api.anthropic.com", Keys: []string{keyA}, KeysVar: p0 + "KEY",
			}},
			warnings: []string{
				p0 + "BEDROCK_REGION, " + p0 + "BEDROCK_MODEL ignored: the provider " +
					"authenticates with " + p0 + "KEY",
			},
		},
		{
			name:    "bedrock with ambient credentials",
			environ: []string{p0 + "TYPE=anthropic", p0 + "BEDROCK_REGION=eu-west-1"},
			want: []providers.Spec{{
				Name: "anthropic", Type: providers.TypeAnthropic,
				BaseURL: "https://api.anthropic.com",
				Bedrock: &providers.Bedrock{Region: "eu-west-1"},
			}},
		},
		{
			name: "bedrock on an unknown type",
			environ: []string{
				p0 + "TYPE=vertex", p0 + "BEDROCK_REGION=eu-west-1",
			},
			want: []providers.Spec{{
				Name: "vertex", Type: "vertex", Bedrock: &providers.Bedrock{Region: "eu-west-1"},
			}},
		},
		{
			name: "dump dirs ignored",
			environ: []string{
				p0 + "TYPE=openai", p0 + "DUMP_DIR=/tmp/a", d1 + "DUMP_DIR=/tmp/b",
			},
			want: []providers.Spec{{
				Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
			}},
			warnings: []string{
				d1 + "DUMP_DIR is ignored", p0 + "DUMP_DIR is ignored",
			},
		},
		{
			name: "blank values unset",
			environ: []string{
				p0 + "TYPE=openai", p0 + "KEY=", p0 + "BASE_URL=  ", p1 + "TYPE=",
			},
			want: []providers.Spec{{
				Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
			}},
		},
		{
			name:    "first duplicate entry wins",
			environ: []string{p0 + "TYPE=openai", p0 + "TYPE=anthropic"},
			want: []providers.Spec{{
				Name: "openai", Type: providers.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
			}},
		},
		{
			name:    "indices in numeric order",
			environ: manyProviders(11),
			want:    manySpecs(11),
		},
	})
}

func TestEnvErrorUnwrap(t *testing.T) {
	t.Parallel()

	_, err := providers.ParseEnv([]string{p0 + "TYPE=openai", p0 + "BASE_URL=nope"})
	require.ErrorIs(t, err, providers.ErrInvalidBaseURL)

	var envErr *providers.EnvError
	require.True(t, errors.As(err, &envErr))
	require.Equal(t, p0+"BASE_URL", envErr.Var)
}
