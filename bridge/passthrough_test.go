package bridge_test

import (
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3/option"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/keyfailover"
)

// echoUpstream answers each request with a JSON body naming its method and
// path, so that the client can tell its answer came from the right route.
func echoUpstream(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req_passthrough")
	_, _ = fmt.Fprintf(w, `{"object":"list","data":[],"seen":%q}`, r.Method+" "+r.URL.RequestURI())
}

// TestPassthrough checks that every passthrough route is authenticated,
// sent upstream with the provider's key, relayed byte for byte, and
// counted, but not recorded as an interception.
func TestPassthrough(t *testing.T) {
	t.Parallel()

	g := setup(t)
	g.upstream.handle(echoUpstream)
	// The upstream sees the route's own path: the Anthropic base URL is the
	// upstream's root, the OpenAI one ends in /v1 as the route does.
	routes := []struct {
		provider, method, path, body string
	}{
		{"anthropic", "GET", "/v1/models", ""},
		{"anthropic", "GET", "/v1/models/claude-sonnet-4-5?beta=true", ""},
		{"anthropic", "POST", "/v1/messages/count_tokens", validBody},
		{"openai", "GET", "/v1/models", ""},
		{"openai", "GET", "/v1/models/gpt-4.1", ""},
		{"openai", "GET", "/v1/responses/resp_123", ""},
		{"openai", "DELETE", "/v1/responses/resp_123", ""},
		{"openai", "GET", "/v1/responses/resp_123/input_items?limit=2", ""},
		{"openai", "POST", "/v1/responses/resp_123/cancel", ""},
		{"openai", "POST", "/v1/conversations", `{"metadata":{"k":"v"}}`},
		{"openai", "GET", "/v1/conversations/conv_1/items", ""},
	}
	for i, rt := range routes {
		// Every other request takes the older spelling of the route.
		url := g.url(rt.provider, rt.path)
		if i%2 == 1 {
			url = strings.Replace(url, "/api/v2/ai-gateway/", "/api/v2/aibridge/", 1)
		}
		req := g.request(url, rt.body)
		req.Method = rt.method
		req.Header.Set("X-Api-Key", g.token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)

		want := fmt.Sprintf(`{"object":"list","data":[],"seen":%q}`, rt.method+" "+rt.path)
		require.Equal(t, want, string(readAll(t, resp)), "%s %s", rt.method, rt.path)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "req_passthrough", resp.Header.Get("X-Request-Id"))
		require.Empty(t, resp.Header.Get(bridge.HeaderInterceptionID), "not recorded")

		seen := g.upstream.seen()[i]
		require.Equal(t, rt.body, string(seen.Body))
		require.NotContains(t, headerText(seen.Header), g.token)
		require.Len(t, credentialHeaders(seen.Header), 1)
		if rt.provider == "anthropic" {
			require.Equal(t, anthropicKey, seen.Header.Get("X-Api-Key"))
		} else {
			require.Equal(t, "Bearer "+openaiKey, seen.Header.Get("Authorization"))
		}
	}

	requirePassthroughCounts(t, g, `
aigateway_passthrough_requests_total{provider="anthropic",status="200"} 3
aigateway_passthrough_requests_total{provider="openai",status="200"} 8
`)
}

// TestPassthroughSDK reaches passthrough routes with the official clients.
func TestPassthroughSDK(t *testing.T) {
	t.Parallel()

	g := setup(t)
	ctx := waitCtx(t)
	g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/messages/count_tokens":
			_, _ = w.Write([]byte(`{"input_tokens":12}`))
		case "/v1/models/gpt-4.1":
			_, _ = w.Write([]byte(`{"id":"gpt-4.1","object":"model","created":1,"owned_by":"system"}`))
		default:
			http.NotFound(w, r)
		}
	})

	ant := g.anthropicClient()
	count, err := ant.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{
		Model: "claude-sonnet-4-5",
		Messages: []anthropic.MessageParam{
			anthropic.NewUserMessage(anthropic.NewTextBlock("hi")),
		},
	})
	require.NoError(t, err)
	require.Equal(t, int64(12), count.InputTokens)

	oai := g.openaiClient()
	model, err := oai.Models.Get(ctx, "gpt-4.1", option.WithMaxRetries(0))
	require.NoError(t, err)
	require.Equal(t, "gpt-4.1", model.ID)
	require.Len(t, g.upstream.seen(), 2)
}

// TestPassthroughErrors checks that a passthrough request is refused
// without a valid token, that an upstream error comes back unchanged but
// for a key it echoes, and that a compressed body is relayed plain.
func TestPassthroughErrors(t *testing.T) {
	t.Parallel()

	g := setup(t)
	notFound := `{"error":{"message":"The model 'gpt-9' does not exist or key ` + openaiKey +
		` cannot use it","type":"invalid_request_error","param":null,"code":"model_not_found"}}`
	g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/models/gpt-9" {
			serve(http.StatusNotFound, "application/json", []byte(notFound), 0)(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write([]byte(`{"object":"list","data":[{"id":"gpt-4.1"}]}`))
		_ = zw.Close()
	})

	req := g.request(g.url("openai", "/v1/models"), "")
	req.Method = http.MethodGet
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	requireGatewayErr(t, resp, false, unauthenticated())
	require.Empty(t, g.upstream.seen())

	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}

	req = g.authorized(g.url("openai", "/v1/models"), "")
	req.Method = http.MethodGet
	resp, err = client.Do(req)
	require.NoError(t, err)
	require.Equal(t, `{"object":"list","data":[{"id":"gpt-4.1"}]}`, string(readAll(t, resp)))
	require.Empty(t, resp.Header.Get("Content-Encoding"))

	req = g.authorized(g.url("openai", "/v1/models/gpt-9"), "")
	req.Method = http.MethodGet
	resp, err = client.Do(req)
	require.NoError(t, err)
	want := strings.Replace(notFound, openaiKey, keyfailover.Mask(openaiKey), 1)
	require.Equal(t, want, string(readAll(t, resp)))
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	requirePassthroughCounts(t, g, `
aigateway_passthrough_requests_total{provider="openai",status="200"} 1
aigateway_passthrough_requests_total{provider="openai",status="404"} 1
`)
}

// requirePassthroughCounts waits for the passthrough counter to read want,
// in the exposition format. A request is counted once its handler returns,
// which may be after its client has read the whole answer.
func requirePassthroughCounts(t *testing.T, g *gateway, want string) {
	t.Helper()

	const head = "# HELP aigateway_passthrough_requests_total Passthrough requests, " +
		"by provider and status code.\n# TYPE aigateway_passthrough_requests_total counter"
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.NoError(c, testutil.GatherAndCompare(g.registry, strings.NewReader(head+want),
			"aigateway_passthrough_requests_total"))
	}, 10*time.Second, 5*time.Millisecond)
}
