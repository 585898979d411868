package bridge_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/recorder"
)

// Keys that BYOK clients bring.
const (
	clientAnthropicKey = "sk-ant-client-own-key-00000000000000001"
	clientOpenAIKey    = "sk-client-own-openai-key-0000000000001"
)

// byokCase is a BYOK request on one provider: the header that carries the
// client's key and the value it holds.
type byokCase struct {
	name     string
	provider string
	fixture  string
	header   string
	value    string
	key      string
}

var byokCases = []byokCase{
	{
		name: "Anthropic", provider: "anthropic", fixture: "Messages",
		header: "X-Api-Key", value: clientAnthropicKey, key: clientAnthropicKey,
	},
	{
		name: "OpenAI", provider: "openai", fixture: "ChatCompletions",
		header: "Authorization", value: "Bearer " + clientOpenAIKey, key: clientOpenAIKey,
	},
}

// sendBYOK posts a fixture's request as a BYOK client of bc.
func (g *gateway) sendBYOK(bc byokCase, path, body string) *http.Response {
	g.t.Helper()

	req := g.request(g.url(bc.provider, path), body)
	req.Header.Set(bridge.HeaderGovernanceToken, g.token)
	req.Header.Set(bc.header, bc.value)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(g.t, err)
	return resp
}

// TestBYOKClientKey checks that a BYOK client's own key goes upstream in place of
// the provider's, that the governance header does not, and that the
// request is recorded as BYOK for the token's user.
func TestBYOKClientKey(t *testing.T) {
	t.Parallel()

	for _, bc := range byokCases {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			ac := apiNamed(bc.fixture)
			f := fixtureNamed(t, ac, "blocking_text")
			g.answerWith(f)

			resp := g.sendBYOK(bc, ac.path, string(f.Request))
			require.Equal(t, string(f.Response), string(readAll(t, resp)))
			require.Equal(t, http.StatusOK, resp.StatusCode)

			seen := g.upstream.seen()
			require.Len(t, seen, 1)
			require.Equal(t, bc.value, seen[0].Header.Get(bc.header))
			require.Empty(t, seen[0].Header.Get(bridge.HeaderGovernanceToken))
			require.Len(t, credentialHeaders(seen[0].Header), 1, "only the client's key")
			require.NotContains(t, headerText(seen[0].Header), g.token)

			ic := g.interception(resp)
			require.Equal(t, g.userID, ic.InitiatorID)
			require.Equal(t, recorder.CredentialBYOK, ic.CredentialKind)
			require.Equal(t, keyfailover.Mask(bc.key), ic.CredentialHint)
			require.Equal(t, recorder.StatusCompleted, ic.Status)
			requireRecorded(t, f.Want.Record, ic)
		})
	}
}

// TestBYOKUpstreamError checks that a BYOK client gets the upstream's error
// unchanged, that the gateway does not retry it, and that it is recorded.
func TestBYOKUpstreamError(t *testing.T) {
	t.Parallel()

	for _, bc := range byokCases {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			body := `{"error":{"message":"Incorrect API key provided: sk-cli****0001.",` +
				`"type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
			g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "req_123")
				serve(http.StatusUnauthorized, "application/json", []byte(body), 0)(w, r)
			})

			ac := apiNamed(bc.fixture)
			resp := g.sendBYOK(bc, ac.path, string(fixtureNamed(t, ac, "stream_text").Request))
			require.Equal(t, body, string(readAll(t, resp)))
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			require.Equal(t, "req_123", resp.Header.Get("X-Request-Id"))
			require.Len(t, g.upstream.seen(), 1, "a BYOK request is tried once")

			ic := g.interception(resp)
			require.Equal(t, recorder.CredentialBYOK, ic.CredentialKind)
			require.Equal(t, recorder.StatusFailed, ic.Status)
			require.Equal(t, recorder.ErrorTypeUnauthorized, ic.ErrorType)
			require.Equal(t, "Incorrect API key provided: sk-cli****0001.", ic.ErrorMessage)
			require.Equal(t, http.StatusUnauthorized, ic.UpstreamStatus)
		})
	}
}

// TestBYOKWithoutKeys checks that a provider with no keys of its own still
// serves BYOK clients, while centralized requests get a 503.
func TestBYOKWithoutKeys(t *testing.T) {
	t.Parallel()

	g := setup(t)
	g.swapProviders(func(p *providers.Provider) { p.Keys = nil })
	for _, bc := range byokCases {
		ac := apiNamed(bc.fixture)
		f := fixtureNamed(t, ac, "blocking_text")
		g.answerWith(f)

		resp := g.sendBYOK(bc, ac.path, string(f.Request))
		require.Equal(t, string(f.Response), string(readAll(t, resp)))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		ic := g.interception(resp)
		require.Equal(t, recorder.CredentialBYOK, ic.CredentialKind)
		requireRecorded(t, f.Want.Record, ic)

		central := g.post(bc.provider, ac.path, string(f.Request))
		defer central.Body.Close()
		requireGatewayErr(t, central, bc.provider == "anthropic", unavailable("no keys configured"))
	}
	require.Len(t, g.upstream.seen(), len(byokCases))
}

// TestBYOKDisallowed checks that with BYOK off, centralized requests still
// work, and BYOK ones are refused before anything goes upstream.
func TestBYOKDisallowed(t *testing.T) {
	t.Parallel()

	g := setup(t, func(o *bridge.Options) { o.DisallowBYOK = true })
	for _, bc := range byokCases {
		ac := apiNamed(bc.fixture)
		f := fixtureNamed(t, ac, "blocking_text")
		g.answerWith(f)

		resp := g.sendBYOK(bc, ac.path, string(f.Request))
		defer resp.Body.Close()
		requireGatewayErr(t, resp, bc.provider == "anthropic", gatewayErr{
			http.StatusForbidden, "permission_error", "invalid_request_error", "byok_disabled",
			"CODER_AI_GATEWAY_ALLOW_BYOK",
		})

		central := g.post(bc.provider, ac.path, string(f.Request))
		defer central.Body.Close()
		require.Equal(t, string(f.Response), string(readAll(t, central)))
		ic := g.interception(central)
		require.Equal(t, recorder.CredentialCentralized, ic.CredentialKind)
		requireRecorded(t, f.Want.Record, ic)
	}
	require.Len(t, g.upstream.seen(), len(byokCases), "only the centralized requests")
}

// credentialHeaders returns the credential headers present in h.
func credentialHeaders(h http.Header) []string {
	var out []string
	for _, name := range []string{"Authorization", "X-Api-Key", bridge.HeaderGovernanceToken} {
		if h.Get(name) != "" {
			out = append(out, name)
		}
	}
	return out
}

// headerText is every header value in h, for searching.
func headerText(h http.Header) string {
	var b []byte
	for k, vs := range h {
		for _, v := range vs {
			b = append(b, k+": "+v+"\n"...)
		}
	}
	return string(b)
}
