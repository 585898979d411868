package bridge_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/recorder"
)

// TestRecordedRequestFacts checks what an interception records of the
// request itself: the client guessed from the user agent, the session id
// the client sent, the provider, the masked key and the times.
func TestRecordedRequestFacts(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name, api          string
		header             []string
		client, session    string
		providerType, hint string
	}{
		{
			name: "ClaudeCode", api: "Messages",
			header: []string{
				"User-Agent", "claude-cli/2.0.14 (external, cli)",
				"X-Claude-Code-Session-Id", "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
			},
			client: "claude-code", session: "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
			providerType: "anthropic", hint: keyfailover.Mask(anthropicKey),
		},
		{
			name: "Codex", api: "Responses",
			header: []string{"User-Agent", "codex_cli_rs/0.50.0", "session_id", "sess_42"},
			client: "codex", session: "sess_42",
			providerType: "openai", hint: keyfailover.Mask(openaiKey),
		},
		{
			name: "Unknown", api: "ChatCompletions",
			header:       []string{"User-Agent", "curl/8.5.0"},
			client:       "unknown",
			providerType: "openai", hint: keyfailover.Mask(openaiKey),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			ac := apiNamed(tc.api)
			f := fixtureNamed(t, ac, "blocking_text")
			g.answerWith(f)

			before := time.Now()
			resp := g.post(ac.provider, ac.path, string(f.Request), tc.header...)
			defer resp.Body.Close()
			require.Equal(t, string(f.Response), string(readAll(t, resp)))
			after := time.Now()

			ic := g.interception(resp)
			require.Equal(t, tc.client, ic.Client)
			require.Equal(t, tc.session, ic.SessionID)
			require.Equal(t, ac.provider, ic.ProviderName)
			require.Equal(t, tc.providerType, ic.ProviderType)
			require.Equal(t, recorder.CredentialCentralized, ic.CredentialKind)
			require.Equal(t, tc.hint, ic.CredentialHint)
			require.Equal(t, http.StatusOK, ic.UpstreamStatus)
			require.Equal(t, recorder.StatusCompleted, ic.Status)

			// Postgres keeps microseconds.
			require.WithinRange(t, ic.StartedAt, before.Add(-time.Millisecond), after)
			require.WithinRange(t, ic.EndedAt, ic.StartedAt, after.Add(time.Millisecond))
		})
	}
}
