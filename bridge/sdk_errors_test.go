package bridge_test

import (
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/recorder"
)

// openaiContextError is an upstream's answer to a request that is too long.
const openaiContextError = `{"error":{"message":"This model's maximum context length ` +
	`is 128000 tokens.","type":"invalid_request_error","param":"messages",` +
	`"code":"context_length_exceeded"}}`

// TestOpenAISDKErrors checks that the OpenAI client sees the upstream's
// errors as the provider would have given them, and that each is recorded
// failed.
func TestOpenAISDKErrors(t *testing.T) {
	t.Parallel()

	chat, responses := apiNamed("ChatCompletions"), apiNamed("Responses")
	t.Run("Chat/BeforeStream", func(t *testing.T) {
		t.Parallel()

		g := setup(t)
		g.upstream.handle(serve(http.StatusBadRequest, "application/json",
			[]byte(openaiContextError), 0))

		res := g.sendChat(fixtureNamed(t, chat, "stream_text"))
		requireOpenAIError(t, res.err, http.StatusBadRequest, "context_length_exceeded")
		g.requireUpstreamError(res.header, http.StatusBadRequest)
	})
	t.Run("Chat/InStream", func(t *testing.T) {
		t.Parallel()

		g := setup(t)
		f := fixtureNamed(t, chat, "stream_error")
		g.answerWith(f)

		res := g.sendChat(f)
		require.ErrorContains(t, res.err, "The server had an error while processing")
		require.Equal(t, "Once upon a", res.completion.Choices[0].Message.Content)

		ic := g.requireSDKRecord(res.header, f)
		require.Equal(t, recorder.StatusFailed, ic.Status)
		require.Equal(t, recorder.ErrorTypeServerError, ic.ErrorType)
		require.Equal(t, f.Want.Record.ErrorMessage, ic.ErrorMessage)
	})
	t.Run("Chat/CutShort", func(t *testing.T) {
		t.Parallel()

		g := setup(t)
		f := fixtureNamed(t, chat, "stream_cut_short")
		g.answerWith(f)

		res := g.sendChat(f)
		require.ErrorContains(t, res.err, "ended before its final event")

		ic := g.requireSDKRecord(res.header, f)
		require.Equal(t, recorder.StatusFailed, ic.Status)
		require.Equal(t, recorder.ErrorTypeServerError, ic.ErrorType)
	})
	t.Run("Responses/BeforeStream", func(t *testing.T) {
		t.Parallel()

		g := setup(t)
		g.upstream.handle(serve(http.StatusBadRequest, "application/json",
			[]byte(openaiContextError), 0))

		res := g.sendResponses(fixtureNamed(t, responses, "stream_text"))
		requireOpenAIError(t, res.err, http.StatusBadRequest, "context_length_exceeded")
		g.requireUpstreamError(res.header, http.StatusBadRequest)
	})
	t.Run("Responses/InStream", func(t *testing.T) {
		t.Parallel()

		g := setup(t)
		f := fixtureNamed(t, responses, "stream_error")
		g.answerWith(f)

		// The Responses stream reports errors as events of their own: the
		// provider's, and no second one from the gateway, since the
		// provider's error already ends the answer.
		res := g.sendResponses(f)
		require.NoError(t, res.err)
		require.Equal(t, "Sure", res.text)
		errs := res.done["error"]
		require.Equal(t, []string{f.Want.Record.ErrorMessage}, errs)

		ic := g.requireSDKRecord(res.header, f)
		require.Equal(t, recorder.StatusFailed, ic.Status)
		require.Equal(t, recorder.ErrorTypeServerError, ic.ErrorType)
		require.Equal(t, f.Want.Record.ErrorMessage, ic.ErrorMessage)
	})
	t.Run("Responses/CutShort", func(t *testing.T) {
		t.Parallel()

		g := setup(t)
		f := fixtureNamed(t, responses, "stream_cut_short")
		g.answerWith(f)

		res := g.sendResponses(f)
		require.NoError(t, res.err)
		require.Equal(t, "error", res.events[len(res.events)-1])
		require.Len(t, res.done["error"], 1)
		require.Contains(t, res.done["error"][0], "ended before its final event")

		ic := g.requireSDKRecord(res.header, f)
		require.Equal(t, recorder.StatusFailed, ic.Status)
		require.Equal(t, recorder.ErrorTypeServerError, ic.ErrorType)
	})
}

// requireOpenAIError checks that the client returned the upstream's error.
func requireOpenAIError(t *testing.T, err error, status int, code string) {
	t.Helper()

	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, status, apiErr.StatusCode)
	require.Equal(t, code, apiErr.Code)
	require.Equal(t, "invalid_request_error", apiErr.Type)
}

// requireUpstreamError checks the record of a request the upstream refused
// before any stream began.
func (g *gateway) requireUpstreamError(h http.Header, status int) {
	g.t.Helper()

	ic := g.interceptionIn(h)
	require.Equal(g.t, recorder.StatusFailed, ic.Status)
	require.Equal(g.t, recorder.ErrorTypeBadRequest, ic.ErrorType)
	require.Equal(g.t, "This model's maximum context length is 128000 tokens.", ic.ErrorMessage)
	require.Equal(g.t, status, ic.UpstreamStatus)
	require.Empty(g.t, ic.TokenUsages)
}
