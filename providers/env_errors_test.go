package providers_test

import (
	"strings"
	"testing"
)

func TestParseEnvIndexedErrors(t *testing.T) {
	t.Parallel()

	runErrorCases(t, []errorCase{
		{
			name:     "index not a number",
			environ:  []string{"CODER_AI_GATEWAY_PROVIDER_X_TYPE=openai"},
			wantVars: []string{"CODER_AI_GATEWAY_PROVIDER_X_TYPE"},
		},
		{
			name:     "index with leading zero",
			environ:  []string{p0 + "TYPE=openai", "CODER_AI_GATEWAY_PROVIDER_01_TYPE=openai"},
			wantVars: []string{"CODER_AI_GATEWAY_PROVIDER_01_TYPE"},
		},
		{
			name:     "index out of range",
			environ:  []string{"CODER_AIBRIDGE_PROVIDER_99999999999999999999_TYPE=openai"},
			wantVars: []string{"CODER_AIBRIDGE_PROVIDER_99999999999999999999_TYPE"},
		},
		{
			name:     "field missing",
			environ:  []string{"CODER_AI_GATEWAY_PROVIDER_0=openai"},
			wantVars: []string{"CODER_AI_GATEWAY_PROVIDER_0"},
		},
		{
			name:     "unknown field",
			environ:  []string{p0 + "TYPE=openai", p0 + "API_KEY=" + keyA},
			wantVars: []string{p0 + "API_KEY"},
		},
		{
			name:     "type missing",
			environ:  []string{p0 + "KEY=" + keyA},
			wantVars: []string{p0 + "TYPE"},
		},
		{
			name:     "type missing in deprecated spelling",
			environ:  []string{d0 + "KEY=" + keyA},
			wantVars: []string{d0 + "TYPE"},
		},
		{
			name:     "gap in indices",
			environ:  []string{p0 + "TYPE=openai", p2 + "TYPE=anthropic"},
			wantVars: []string{p1 + "TYPE", "provider 1 is not configured"},
		},
		{
			name:     "first index missing",
			environ:  []string{d1 + "TYPE=openai"},
			wantVars: []string{p0 + "TYPE", "provider 0 is not configured"},
		},
		{
			name:     "spellings mixed in one index",
			environ:  []string{p0 + "TYPE=openai", d0 + "KEY=" + keyA},
			wantVars: []string{d0 + "KEY", p0 + "TYPE"},
		},
		{
			name:     "name invalid",
			environ:  []string{p0 + "TYPE=openai", p0 + "NAME=Open_AI"},
			wantVars: []string{p0 + "NAME"},
		},
		{
			name:     "name defaulted from an invalid type",
			environ:  []string{p0 + "TYPE=open ai"},
			wantVars: []string{p0 + "TYPE", "set " + p0 + "NAME"},
		},
		{
			name:     "name repeated",
			environ:  []string{p0 + "TYPE=openai", p1 + "TYPE=anthropic", p1 + "NAME=openai"},
			wantVars: []string{p1 + "NAME", p0 + "TYPE"},
		},
		{
			name:     "key and keys",
			environ:  []string{p0 + "TYPE=openai", p0 + "KEY=" + keyA, p0 + "KEYS=" + keyB},
			wantVars: []string{p0 + "KEY", p0 + "KEYS"},
		},
		{
			name:     "empty key entry",
			environ:  []string{p0 + "TYPE=openai", p0 + "KEYS=" + keyA + ",," + keyB},
			wantVars: []string{p0 + "KEYS", "entry 2 is empty"},
		},
		{
			name:     "trailing comma",
			environ:  []string{p0 + "TYPE=openai", p0 + "KEYS=" + keyA + ","},
			wantVars: []string{p0 + "KEYS", "entry 2 is empty"},
		},
		{
			name:     "repeated key",
			environ:  []string{p0 + "TYPE=openai", p0 + "KEYS=" + keyA + ", " + keyA},
			wantVars: []string{p0 + "KEYS", "entry 2 repeats"},
		},
		{
			name: "too many keys",
			environ: []string{
				p0 + "TYPE=openai", p0 + "KEYS=" + strings.Repeat(keyA+"x,", 5) + keyC,
			},
			wantVars: []string{p0 + "KEYS", "lists 6 entries"},
		},
		{
			name:     "base url without scheme",
			environ:  []string{p0 + "TYPE=openai", p0 + "BASE_URL=api.openai.com/v1"},
			wantVars: []string{p0 + "BASE_URL"},
		},
		{
			name:     "base url with another scheme",
			environ:  []string{p0 + "TYPE=openai", p0 + "BASE_URL=ftp://files.example.com"},
			wantVars: []string{p0 + "BASE_URL"},
		},
		{
			name:     "base url without host",
			environ:  []string{p0 + "TYPE=copilot", p0 + "BASE_URL=https:///v1"},
			wantVars: []string{p0 + "BASE_URL"},
		},
		{
			name: "base url with credentials",
			environ: []string{
				p0 + "TYPE=openai", p0 + "BASE_URL=https://user:" + keyA + "@example.com",
			},
			wantVars: []string{p0 + "BASE_URL", "credentials"},
		},
		{
			name: "bedrock base url invalid",
			environ: bedrockEnv(p0, "TYPE=anthropic",
				"BEDROCK_BASE_URL=bedrock.example.com"),
			wantVars: []string{p0 + "BEDROCK_BASE_URL"},
		},
		{
			name:     "bedrock on openai",
			environ:  []string{p0 + "TYPE=openai", p0 + "BEDROCK_REGION=us-east-1"},
			wantVars: []string{p0 + "BEDROCK_REGION", "only to anthropic"},
		},
		{
			name: "bedrock access key and keys",
			environ: []string{
				p0 + "TYPE=anthropic", p0 + "BEDROCK_ACCESS_KEY=" + awsKeyA,
				p0 + "BEDROCK_ACCESS_KEYS=" + awsKeyB, p0 + "BEDROCK_ACCESS_KEY_SECRET=" + awsSecA,
			},
			wantVars: []string{p0 + "BEDROCK_ACCESS_KEY", p0 + "BEDROCK_ACCESS_KEYS"},
		},
		{
			name: "bedrock secret and secrets",
			environ: []string{
				p0 + "TYPE=anthropic", p0 + "BEDROCK_ACCESS_KEY=" + awsKeyA,
				p0 + "BEDROCK_ACCESS_KEY_SECRET=" + awsSecA,
				p0 + "BEDROCK_ACCESS_KEY_SECRETS=" + awsSecB,
			},
			wantVars: []string{p0 + "BEDROCK_ACCESS_KEY_SECRET", p0 + "BEDROCK_ACCESS_KEY_SECRETS"},
		},
		{
			name: "bedrock counts differ",
			environ: []string{
				p0 + "TYPE=anthropic", p0 + "BEDROCK_ACCESS_KEYS=" + awsKeyA + "," + awsKeyB,
				p0 + "BEDROCK_ACCESS_KEY_SECRET=" + awsSecA,
			},
			wantVars: []string{
				p0 + "BEDROCK_ACCESS_KEYS", p0 + "BEDROCK_ACCESS_KEY_SECRET", "lists 2 access keys",
			},
		},
		{
			name:     "bedrock access key without secret",
			environ:  []string{p0 + "TYPE=anthropic", p0 + "BEDROCK_ACCESS_KEY=" + awsKeyA},
			wantVars: []string{p0 + "BEDROCK_ACCESS_KEY", p0 + "BEDROCK_ACCESS_KEY_SECRET"},
		},
		{
			name:     "bedrock secret without access key",
			environ:  []string{d0 + "TYPE=anthropic", d0 + "BEDROCK_ACCESS_KEY_SECRETS=" + awsSecA},
			wantVars: []string{d0 + "BEDROCK_ACCESS_KEY", d0 + "BEDROCK_ACCESS_KEY_SECRETS"},
		},
		{
			name: "bedrock secret repeated",
			environ: []string{
				p0 + "TYPE=anthropic", p0 + "BEDROCK_ACCESS_KEYS=" + awsKeyA + "," + awsKeyB,
				p0 + "BEDROCK_ACCESS_KEY_SECRETS=" + awsSecA + "," + awsSecA,
			},
			wantVars: []string{p0 + "BEDROCK_ACCESS_KEY_SECRETS", "repeats"},
		},
		{
			name: "every problem reported",
			environ: []string{
				p0 + "TYPE=openai", p0 + "KEYS=" + keyA + "," + keyA,
				p1 + "TYPE=anthropic", p1 + "BASE_URL=" + keyB,
				p2 + "KEY=" + keyC,
			},
			wantVars: []string{p0 + "KEYS", p1 + "BASE_URL", p2 + "TYPE"},
			wantErrs: 3,
		},
	})
}
