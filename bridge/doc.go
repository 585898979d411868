// Package bridge is the gateway's HTTP data plane. It serves the providers'
// APIs under /api/v2/ai-gateway/<provider name>/ (and the older spelling
// /api/v2/aibridge/<provider name>/): bridged routes are intercepted and
// recorded, passthrough routes are only proxied.
//
// A bridged request is authenticated, checked, sent upstream with a key from
// the provider's pool (centralized) or the client's own key (BYOK), and
// relayed as it arrives: bytes go to the client unchanged and in order while
// a copy is parsed for usage, prompts, tool calls and thoughts. The result is
// one interception, handed to the recorder off the request path.
package bridge
