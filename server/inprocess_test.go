package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/client"
	"github.com/aigateway/aigateway/dbtest"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/intercept/fixture"
	"github.com/aigateway/aigateway/server"
)

const upstreamKey = "sk-test-upstream-000000000000000000001"

// withUpstream starts a server whose provider "openai" is served by an
// upstream that answers every request with the fixture's response.
func withUpstream(t *testing.T, f fixture.Fixture) (*running, string) {
	t.Helper()

	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+upstreamKey {
			http.Error(w, `{"error":{"type":"invalid_request_error"}}`, http.StatusUnauthorized)
			return
		}
		if f.Streaming {
			w.Header().Set("Content-Type", "text/event-stream")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		_, _ = w.Write(f.Response)
	}))
	t.Cleanup(up.Close)

	r := startServer(t, dbtest.NewURL(t), t.TempDir(), func(c *server.Config) {
		c.Environ = []string{
			"CODER_AI_GATEWAY_PROVIDER_0_TYPE=openai",
			"CODER_AI_GATEWAY_PROVIDER_0_KEY=" + upstreamKey,
			"CODER_AI_GATEWAY_PROVIDER_0_BASE_URL=" + up.URL + "/v1",
		}
	})
	token, err := os.ReadFile(filepath.Join(r.dir, server.AdminTokenFile))
	require.NoError(t, err)
	return r, strings.TrimSpace(string(token))
}

func loadFixture(t *testing.T, name string) fixture.Fixture {
	t.Helper()

	f, err := fixture.Load("../intercept/openaichat/testdata/" + name + ".txtar")
	require.NoError(t, err)
	return f
}

// TestInProcessRoundTripper points the OpenAI SDK at the data plane through
// the in-process RoundTripper: no socket, and the interception is recorded.
func TestInProcessRoundTripper(t *testing.T) {
	t.Parallel()

	f := loadFixture(t, "blocking_text")
	r, token := withUpstream(t, f)

	sdk := openai.NewClient(
		option.WithBaseURL("http://in-process/api/v2/ai-gateway/openai/v1"),
		option.WithAPIKey(token),
		option.WithHTTPClient(&http.Client{
			Transport: client.RoundTripper{Handler: r.srv.DataPlane()},
		}),
		option.WithMaxRetries(0),
	)
	var req openai.ChatCompletionNewParams
	require.NoError(t, req.UnmarshalJSON(f.Request))
	resp, err := sdk.Chat.Completions.New(t.Context(), req)
	require.NoError(t, err)
	require.NotEmpty(t, resp.Choices[0].Message.Content)

	owner := dial(t, r, token)
	var ic *aigatewayv1.Interception
	require.Eventually(t, func() bool {
		list, err := owner.Interceptions.ListInterceptions(t.Context(),
			&aigatewayv1.ListInterceptionsRequest{})
		if err != nil || len(list.GetInterceptions()) == 0 {
			return false
		}
		ic = list.GetInterceptions()[0]
		return true
	}, 10*time.Second, 10*time.Millisecond)
	want := f.Want.Record.Usages[0]
	require.Equal(t, "openai", ic.GetProviderName())
	require.Equal(t, "completed", ic.GetStatus())
	require.Equal(t, want.Input, ic.GetInputTokens())
	require.Equal(t, want.Output, ic.GetOutputTokens())
	require.Equal(t, want.CacheRead, ic.GetCacheReadInputTokens())
}

// TestCompleteOverBothTransports runs a streamed completion through the
// completion service: the head, the exact stream bytes, and a trailer with
// the usage recorded.
func TestCompleteOverBothTransports(t *testing.T) {
	t.Parallel()

	f := loadFixture(t, "stream_cache")
	r, token := withUpstream(t, f)
	inproc, err := r.srv.InProcessClient(t.Context(), server.AdminUsername)
	require.NoError(t, err)
	t.Cleanup(func() { _ = inproc.Close() })

	for name, c := range map[string]*client.Client{"GRPC": dial(t, r, token), "DRPC": inproc} {
		t.Run(name, func(t *testing.T) {
			stream, err := c.Completions.Complete(t.Context(), &aigatewayv1.CompleteRequest{
				Provider: "openai", Api: aigatewayv1.Api_API_OPENAI_CHAT_COMPLETIONS,
				Body: f.Request,
			})
			require.NoError(t, err)

			var head *aigatewayv1.Head
			var body bytes.Buffer
			var trailer *aigatewayv1.Trailer
			for {
				msg, err := stream.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				switch {
				case msg.GetHead() != nil:
					head = msg.GetHead()
				case msg.GetTrailer() != nil:
					trailer = msg.GetTrailer()
				default:
					body.Write(msg.GetChunk())
				}
			}
			require.Equal(t, int32(http.StatusOK), head.GetStatus())
			require.Equal(t, "text/event-stream", head.GetHeaders()["content-type"])
			require.Equal(t, string(f.Client), body.String())
			want := f.Want.Record.Usages[0]
			require.NotEmpty(t, trailer.GetInterceptionId())
			require.Equal(t, want.Input, trailer.GetInputTokens())
			require.Equal(t, want.Output, trailer.GetOutputTokens())
			require.Equal(t, want.CacheRead, trailer.GetCacheReadInputTokens())
		})
	}
}

// TestInProcessClientConcurrent shares one in-process client between 20
// concurrent callers.
func TestInProcessClientConcurrent(t *testing.T) {
	t.Parallel()

	r := startServer(t, dbtest.NewURL(t), t.TempDir())
	c, err := r.srv.InProcessClient(t.Context(), server.AdminUsername)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	const callers = 20
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			ctx := context.WithoutCancel(t.Context())
			_, err := c.Users.CreateToken(ctx, &aigatewayv1.CreateTokenRequest{})
			if err == nil {
				_, err = c.Providers.ListProviders(ctx, &aigatewayv1.ListProvidersRequest{})
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	tokens, err := c.Users.ListTokens(t.Context(), &aigatewayv1.ListTokensRequest{})
	require.NoError(t, err)
	require.Len(t, tokens.GetTokens(), callers+1, "the bootstrap token and one per caller")
}
