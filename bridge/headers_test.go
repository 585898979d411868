package bridge_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/bridge"
)

// TestRequestHeaders checks which of a client's headers go upstream:
// hop-by-hop headers, credentials, the gateway's own headers, Host and
// Content-Length do not; the providers' version and beta headers, the user
// agent and other headers do.
func TestRequestHeaders(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		api       string
		provider  string
		keyHeader string
		keyValue  string
	}{
		{"Messages", "anthropic", "X-Api-Key", anthropicKey},
		{"ChatCompletions", "openai", "Authorization", "Bearer " + openaiKey},
		{"Responses", "openai", "Authorization", "Bearer " + openaiKey},
	} {
		t.Run(tc.api, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			ac := apiNamed(tc.api)
			f := fixtureNamed(t, ac, "stream_text")
			hosts := make(chan string, 1)
			g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
				hosts <- r.Host
				serve(http.StatusOK, "text/event-stream", f.Response, 0)(w, r)
			})

			req := g.authorized(g.url(tc.provider, ac.path), string(f.Request))
			req.Host = "gateway.example"
			sent := map[string]string{
				// Hop-by-hop, and a header that Connection names.
				"Connection":       "X-Hop-Only",
				"X-Hop-Only":       "1",
				"Keep-Alive":       "timeout=5",
				"Proxy-Connection": "keep-alive",
				"Te":               "trailers",
				// Credentials: the gateway token, twice.
				"Proxy-Authorization": "Basic cHJveHk6c2VjcmV0",
				"X-Api-Key":           g.token,
				// What the transport decides itself.
				"Accept-Encoding": "br",
				// What passes.
				"Anthropic-Version": "2023-06-01",
				"Anthropic-Beta":    "prompt-caching-2024-07-31,token-efficient-tools-2025-02-19",
				"Openai-Beta":       "responses=v1",
				"User-Agent":        "claude-cli/2.0.14 (external, cli)",
				"X-Stainless-Lang":  "go",
			}
			for k, v := range sent {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, string(f.Client), string(readAll(t, resp)))

			seen := g.upstream.seen()
			require.Len(t, seen, 1)
			got := seen[0].Header
			for _, name := range []string{
				"Connection", "X-Hop-Only", "Keep-Alive", "Proxy-Connection", "Te",
				"Proxy-Authorization", bridge.HeaderGovernanceToken,
			} {
				require.Empty(t, got.Values(name), name)
			}
			require.NotContains(t, headerText(got), g.token)
			require.Equal(t, []string{tc.keyValue}, got.Values(tc.keyHeader))
			require.Len(t, credentialHeaders(got), 1, "only the provider's key")
			require.Equal(t, "gzip", got.Get("Accept-Encoding"))
			for _, name := range []string{
				"Anthropic-Version", "Anthropic-Beta", "Openai-Beta", "User-Agent", "X-Stainless-Lang",
			} {
				require.Equal(t, []string{sent[name]}, got.Values(name), name)
			}

			// Host is the upstream's, and Content-Length that of the body
			// sent, which the gateway may have rewritten.
			require.Equal(t, strings.TrimPrefix(g.upstream.srv.URL, "http://"), <-hosts)
			require.Equal(t, strconv.Itoa(len(seen[0].Body)), got.Get("Content-Length"))
		})
	}
}

// TestResponseHeaders checks that the upstream's response headers reach
// the client, apart from the hop-by-hop ones, on blocking and streaming
// answers.
func TestResponseHeaders(t *testing.T) {
	t.Parallel()

	for _, name := range []string{"blocking_text", "stream_text"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			f := fixtureNamed(t, apiNamed("Messages"), name)
			contentType := "application/json"
			if f.Streaming {
				contentType = "text/event-stream"
			}
			g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
				h := w.Header()
				h.Set("Connection", "X-Upstream-Hop")
				h.Set("X-Upstream-Hop", "1")
				h.Set("Keep-Alive", "timeout=5, max=100")
				h.Set("Proxy-Authenticate", `Basic realm="upstream"`)
				h.Set("Request-Id", "req_011CUpstream")
				h.Set("Anthropic-Ratelimit-Requests-Remaining", "49")
				serve(http.StatusOK, contentType, f.Response, 0)(w, r)
			})

			resp := g.post("anthropic", "/v1/messages", string(f.Request))
			body := readAll(t, resp)
			require.Equal(t, string(f.Client), string(body))
			require.Equal(t, http.StatusOK, resp.StatusCode)

			got := resp.Header
			for _, name := range []string{
				"Connection", "X-Upstream-Hop", "Keep-Alive", "Proxy-Authenticate",
			} {
				require.Empty(t, got.Values(name), name)
			}
			require.Equal(t, "req_011CUpstream", got.Get("Request-Id"))
			require.Equal(t, "49", got.Get("Anthropic-Ratelimit-Requests-Remaining"))
			require.Equal(t, contentType, got.Get("Content-Type"))
			if !f.Streaming {
				require.Equal(t, int64(len(body)), resp.ContentLength)
			}
			require.NotEmpty(t, got.Get(bridge.HeaderInterceptionID))
		})
	}
}
