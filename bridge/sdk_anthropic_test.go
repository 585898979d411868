package bridge_test

import (
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	antoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/fixture"
	"github.com/aigateway/aigateway/recorder"
)

// anthropicClient is the official Anthropic client pointed at the gateway,
// with the gateway token as its API key and no retries.
func (g *gateway) anthropicClient() anthropic.Client {
	return anthropic.NewClient(
		antoption.WithBaseURL(g.url("anthropic", "")),
		antoption.WithAPIKey(g.token),
		antoption.WithMaxRetries(0),
	)
}

// messageParams asks for what the fixture's request asked: its model and
// its prompt.
func messageParams(f fixture.Fixture) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     f.Want.Request.Model,
		MaxTokens: 1024,
		Messages: []anthropic.MessageParam{
			anthropic.NewUserMessage(anthropic.NewTextBlock(f.Want.Request.Prompt)),
		},
	}
}

// sendMessage sends the fixture's request with the client, streaming when
// the fixture streams, and returns the message the client assembled, the
// headers of the HTTP response it got and the error it returned.
func (g *gateway) sendMessage(f fixture.Fixture) (*anthropic.Message, http.Header, error) {
	g.t.Helper()

	ctx := waitCtx(g.t)
	client := g.anthropicClient()
	var resp *http.Response
	into := antoption.WithResponseInto(&resp)
	if !f.Streaming {
		msg, err := client.Messages.New(ctx, messageParams(f), into)
		return msg, headerOf(resp), err
	}

	stream := client.Messages.NewStreaming(ctx, messageParams(f), into)
	defer func() { _ = stream.Close() }()
	msg := &anthropic.Message{}
	for stream.Next() {
		require.NoError(g.t, msg.Accumulate(stream.Current()))
	}
	return msg, headerOf(resp), stream.Err()
}

// headerOf returns the headers of a response a client kept, nil when it
// kept none. The client has closed the body.
func headerOf(resp *http.Response) http.Header {
	if resp == nil {
		return nil
	}
	return resp.Header
}

// interceptionIn is interception for the headers of a response.
func (g *gateway) interceptionIn(h http.Header) *recorder.Interception {
	g.t.Helper()

	require.NotNil(g.t, h, "the client kept its response")
	return g.interception(&http.Response{Header: h})
}

// TestAnthropicSDK drives the gateway with the official Anthropic client
// and checks what the client returns and what was recorded.
func TestAnthropicSDK(t *testing.T) {
	t.Parallel()

	cases := []struct {
		fixture string
		check   func(t *testing.T, msg *anthropic.Message)
	}{
		{"blocking_text", func(t *testing.T, msg *anthropic.Message) {
			require.Len(t, msg.Content, 1)
			require.Equal(t, "Bonjour !", msg.Content[0].Text)
			require.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
			require.Equal(t, int64(13), msg.Usage.InputTokens)
			require.Equal(t, int64(6), msg.Usage.OutputTokens)
		}},
		{"blocking_tool_call", func(t *testing.T, msg *anthropic.Message) {
			require.Len(t, msg.Content, 2)
			require.Equal(t, "Let me look that up.", msg.Content[0].Text)
			call := msg.Content[1]
			require.Equal(t, "tool_use", call.Type)
			require.Equal(t, "toolu_01StockA1b2C3d4E5f6G7h8J9", call.ID)
			require.Equal(t, "get_stock_price", call.Name)
			require.JSONEq(t, `{"ticker":"ACME","exchange":{"name":"NYSE","open":true}}`,
				string(call.Input))
		}},
		{"blocking_thinking", func(t *testing.T, msg *anthropic.Message) {
			require.Len(t, msg.Content, 3)
			require.Equal(t, "391 = 17 * 23, since 17 * 23 = 391.", msg.Content[0].Thinking)
			require.Equal(t, "redacted_thinking", msg.Content[1].Type)
			require.Equal(t, "No: 391 = 17 × 23.", msg.Content[2].Text)
			require.Equal(t, int64(3072), msg.Usage.CacheReadInputTokens)
			require.Equal(t, int64(1100), msg.Usage.CacheCreationInputTokens)
		}},
		{"stream_text", func(t *testing.T, msg *anthropic.Message) {
			require.Len(t, msg.Content, 1)
			require.Equal(t, "The capital of Italy is Rome.", msg.Content[0].Text)
			require.Equal(t, int64(38), msg.Usage.InputTokens)
			require.Equal(t, int64(9), msg.Usage.OutputTokens)
		}},
		{"stream_tool_call", func(t *testing.T, msg *anthropic.Message) {
			require.Len(t, msg.Content, 2)
			call := msg.Content[1]
			require.Equal(t, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", call.ID)
			require.Equal(t, "get_weather", call.Name)
			require.JSONEq(t, `{"location":"San Francisco, CA","unit":"fahrenheit"}`,
				string(call.Input))
			require.Equal(t, anthropic.StopReasonToolUse, msg.StopReason)
		}},
		{"blocking_parallel_tools", func(t *testing.T, msg *anthropic.Message) {
			require.Equal(t, anthropic.StopReasonToolUse, msg.StopReason)
		}},
		{"stream_parallel_tools", func(t *testing.T, msg *anthropic.Message) {
			require.Equal(t, int64(1630), msg.Usage.InputTokens)
		}},
		{"stream_cache", func(t *testing.T, msg *anthropic.Message) {
			require.Equal(t, int64(20480), msg.Usage.CacheReadInputTokens)
			require.Equal(t, int64(512), msg.Usage.CacheCreationInputTokens)
		}},
		{"stream_thinking", func(t *testing.T, msg *anthropic.Message) {
			require.Len(t, msg.Content, 2)
			require.Equal(t, "From 9:05 to 9:40 is 35 minutes.", msg.Content[0].Thinking)
			require.NotEmpty(t, msg.Content[0].Signature)
			require.Equal(t, "The train leaves in 35 minutes.", msg.Content[1].Text)
			require.Equal(t, int64(42), msg.Usage.OutputTokens)
		}},
	}
	ac := apiNamed("Messages")
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			f := fixtureNamed(t, ac, tc.fixture)
			g.answerWith(f)

			msg, hdr, err := g.sendMessage(f)
			require.NoError(t, err)
			tc.check(t, msg)
			var calls []intercept.ToolCall
			for _, b := range msg.Content {
				if b.Type == "tool_use" {
					calls = append(calls, intercept.ToolCall{ID: b.ID, Name: b.Name, Input: string(b.Input)})
				}
			}
			requireToolCalls(t, f.Want.Record.ToolCalls, calls)

			seen := g.upstream.seen()
			require.Len(t, seen, 1)
			require.Equal(t, "/v1/messages", seen[0].Path)
			require.Equal(t, anthropicKey, seen[0].Header.Get("X-Api-Key"))
			require.Empty(t, seen[0].Header.Get("Authorization"))
			require.NotEmpty(t, seen[0].Header.Get("Anthropic-Version"))

			ic := g.requireSDKRecord(hdr, f)
			require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
		})
	}
}

// TestAnthropicSDKErrors checks that the client sees the upstream's errors
// as the provider would have given them, and that each is recorded failed.
func TestAnthropicSDKErrors(t *testing.T) {
	t.Parallel()

	ac := apiNamed("Messages")
	t.Run("BeforeStream", func(t *testing.T) {
		t.Parallel()

		g := setup(t)
		f := fixtureNamed(t, ac, "stream_text")
		body := `{"type":"error","error":{"type":"invalid_request_error",` +
			`"message":"max_tokens: too large"}}`
		g.upstream.handle(serve(http.StatusBadRequest, "application/json", []byte(body), 0))

		_, hdr, err := g.sendMessage(f)
		var apiErr *anthropic.Error
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
		require.JSONEq(t, body, apiErr.RawJSON())

		ic := g.interceptionIn(hdr)
		require.Equal(t, recorder.StatusFailed, ic.Status)
		require.Equal(t, recorder.ErrorTypeBadRequest, ic.ErrorType)
		require.Equal(t, "max_tokens: too large", ic.ErrorMessage)
		require.Equal(t, http.StatusBadRequest, ic.UpstreamStatus)
		require.Empty(t, ic.TokenUsages)
	})
	t.Run("InStream", func(t *testing.T) {
		t.Parallel()

		g := setup(t)
		f := fixtureNamed(t, ac, "stream_error")
		g.answerWith(f)

		msg, hdr, err := g.sendMessage(f)
		require.ErrorContains(t, err, "Overloaded")
		require.Equal(t, "Tasks wait in a line", msg.Content[0].Text)

		ic := g.requireSDKRecord(hdr, f)
		require.Equal(t, recorder.StatusFailed, ic.Status)
		require.Equal(t, recorder.ErrorTypeOverloaded, ic.ErrorType)
		require.Equal(t, "Overloaded", ic.ErrorMessage)
	})
	t.Run("CutShort", func(t *testing.T) {
		t.Parallel()

		g := setup(t)
		f := fixtureNamed(t, ac, "stream_cut_short")
		g.answerWith(f)

		_, hdr, err := g.sendMessage(f)
		require.ErrorContains(t, err, "ended before its final event")

		ic := g.requireSDKRecord(hdr, f)
		require.Equal(t, recorder.StatusFailed, ic.Status)
		require.Equal(t, recorder.ErrorTypeServerError, ic.ErrorType)
	})
}

// answerWith makes the upstream answer with a fixture's response.
func (g *gateway) answerWith(f fixture.Fixture) {
	g.upstream.handle(replayed(f))
}

// replayed answers with a fixture's response; a stream is sent in writes of
// 7 bytes, so that events arrive split.
func replayed(f fixture.Fixture) http.HandlerFunc {
	if f.Streaming {
		return serve(http.StatusOK, "text/event-stream", f.Response, 7)
	}
	return serve(http.StatusOK, "application/json", f.Response, 0)
}

// requireToolCalls checks the tool calls a client got against those a
// fixture records; arguments are compared as JSON values, since a client
// may reformat them.
func requireToolCalls(t *testing.T, want, got []intercept.ToolCall) {
	t.Helper()

	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, want[i].ID, got[i].ID)
		require.Equal(t, want[i].Name, got[i].Name)
		require.JSONEq(t, want[i].Input, got[i].Input)
	}
}

// requireSDKRecord checks the interception an official client's request
// left: who, which provider and model, the prompt, and the exact numbers,
// tool calls and thoughts the fixture expects.
func (g *gateway) requireSDKRecord(h http.Header, f fixture.Fixture) *recorder.Interception {
	g.t.Helper()

	ic := g.interceptionIn(h)
	require.Equal(g.t, g.userID, ic.InitiatorID)
	require.Equal(g.t, f.Want.Request.Model, ic.Model)
	require.Equal(g.t, []string{f.Want.Request.Prompt}, ic.Prompts)
	require.Equal(g.t, "unknown", ic.Client)
	require.Equal(g.t, recorder.CredentialCentralized, ic.CredentialKind)
	require.Equal(g.t, http.StatusOK, ic.UpstreamStatus)
	requireRecorded(g.t, f.Want.Record, ic)
	return ic
}
