// Package providers describes the upstream AI providers the gateway talks
// to: their types, how the environment configures them, and the canonical
// hash that tells the env seed whether a stored provider still matches what
// the environment says.
//
// Postgres is the one source of truth at run time. At boot, Seed reconciles
// the providers of the environment with the ai_providers table; from then
// on the gateway reads its providers from the table only. BuildProviders
// turns the table into a Set, an immutable snapshot, and a Loader keeps the
// current Set, rebuilding it whenever a change is announced on
// ChangedChannel (see Notify).
//
// # Environment
//
// Indexed providers are configured with CODER_AI_GATEWAY_PROVIDER_<N>_<FIELD>
// variables, numbered from 0 without gaps. CODER_AIBRIDGE_PROVIDER_<N>_<FIELD>
// is the deprecated spelling of the same variables; one index uses one
// spelling. The fields are TYPE (required), NAME (defaults to the type),
// KEY or KEYS, BASE_URL, and the Bedrock settings BEDROCK_REGION,
// BEDROCK_BASE_URL, BEDROCK_MODEL, BEDROCK_SMALL_FAST_MODEL,
// BEDROCK_ACCESS_KEY(S) and BEDROCK_ACCESS_KEY_SECRET(S).
//
// The older single-provider variables (CODER_AIBRIDGE_OPENAI_KEY,
// CODER_AIBRIDGE_ANTHROPIC_BASE_URL, CODER_AIBRIDGE_BEDROCK_REGION and so on,
// each also spelled with CODER_AI_GATEWAY_) still define the providers named
// "openai" and "anthropic".
//
// A variable set to an empty or all-blank value counts as unset. Errors and
// warnings name variables, never their values.
package providers
