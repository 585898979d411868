package fakellm_test

import (
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/fakellm"
)

// threeChunks is the text of an answer in three chunks.
const threeChunks = "Hello. This answer"

func TestChat(t *testing.T) {
	t.Parallel()
	f := setup(t, fakellm.Options{Chunks: 3})

	t.Run("blocking", func(t *testing.T) {
		t.Parallel()
		resp, err := f.openai.Chat.Completions.New(t.Context(), chatParams(false))
		require.NoError(t, err)
		require.Equal(t, "gpt-4.1", resp.Model)
		require.Equal(t, threeChunks, resp.Choices[0].Message.Content)
		require.Equal(t, "stop", resp.Choices[0].FinishReason)
		require.EqualValues(t, 1850, resp.Usage.PromptTokens)
		require.EqualValues(t, fakellm.CachedTokens, resp.Usage.PromptTokensDetails.CachedTokens)
		require.EqualValues(t, 3, resp.Usage.CompletionTokens)
		require.EqualValues(t, 1853, resp.Usage.TotalTokens)
	})
	t.Run("blocking with tools", func(t *testing.T) {
		t.Parallel()
		resp, err := f.openai.Chat.Completions.New(t.Context(), chatParams(true))
		require.NoError(t, err)
		require.Equal(t, "tool_calls", resp.Choices[0].FinishReason)
		calls := resp.Choices[0].Message.ToolCalls
		require.Len(t, calls, 1)
		require.Equal(t, "search", calls[0].Function.Name)
		require.JSONEq(t, `{"query":"fakellm"}`, calls[0].Function.Arguments)
		require.EqualValues(t, 3+18, resp.Usage.CompletionTokens)
	})
	t.Run("streaming", func(t *testing.T) {
		t.Parallel()
		p := chatParams(false)
		p.StreamOptions.IncludeUsage = openai.Bool(true)
		stream := f.openai.Chat.Completions.NewStreaming(t.Context(), p)
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		require.NoError(t, stream.Err())
		require.Equal(t, threeChunks, acc.Choices[0].Message.Content)
		require.EqualValues(t, fakellm.CachedTokens, acc.Usage.PromptTokensDetails.CachedTokens)
		require.EqualValues(t, 3, acc.Usage.CompletionTokens)
	})
	t.Run("streaming with tools, no usage asked", func(t *testing.T) {
		t.Parallel()
		stream := f.openai.Chat.Completions.NewStreaming(t.Context(), chatParams(true))
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		require.NoError(t, stream.Err())
		calls := acc.Choices[0].Message.ToolCalls
		require.Len(t, calls, 1)
		require.Equal(t, "search", calls[0].Function.Name)
		require.JSONEq(t, `{"query":"fakellm"}`, calls[0].Function.Arguments)
		require.Zero(t, acc.Usage.TotalTokens, "usage without include_usage")
	})
}

func responsesParams(tools bool) responses.ResponseNewParams {
	p := responses.ResponseNewParams{
		Model: "gpt-4.1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Hi")},
	}
	if tools {
		p.Tools = []responses.ToolUnionParam{
			responses.ToolParamOfFunction("search", map[string]any{"type": "object"}, false),
		}
	}
	return p
}

func TestResponses(t *testing.T) {
	t.Parallel()
	f := setup(t, fakellm.Options{Chunks: 3})

	t.Run("blocking with tools", func(t *testing.T) {
		t.Parallel()
		resp, err := f.openai.Responses.New(t.Context(), responsesParams(true))
		require.NoError(t, err)
		require.Equal(t, threeChunks, resp.OutputText())
		require.Len(t, resp.Output, 2)
		call := resp.Output[1].AsFunctionCall()
		require.Equal(t, "search", call.Name)
		require.JSONEq(t, `{"query":"fakellm"}`, call.Arguments)
		require.EqualValues(t, 1850, resp.Usage.InputTokens)
		require.EqualValues(t, fakellm.CachedTokens, resp.Usage.InputTokensDetails.CachedTokens)
		require.EqualValues(t, 3+18, resp.Usage.OutputTokens)
	})
	t.Run("streaming", func(t *testing.T) {
		t.Parallel()
		stream := f.openai.Responses.NewStreaming(t.Context(), responsesParams(false))
		var text string
		var done *responses.Response
		for stream.Next() {
			ev := stream.Current()
			switch ev.Type {
			case "response.output_text.delta":
				text += ev.Delta
			case "response.completed":
				r := ev.AsResponseCompleted().Response
				done = &r
			}
		}
		require.NoError(t, stream.Err())
		require.Equal(t, threeChunks, text)
		require.NotNil(t, done, "no response.completed")
		require.Equal(t, threeChunks, done.OutputText())
		require.EqualValues(t, 3, done.Usage.OutputTokens)
	})
}

func TestMessages(t *testing.T) {
	t.Parallel()
	f := setup(t, fakellm.Options{Chunks: 3})

	check := func(t *testing.T, msg *anthropic.Message, tools bool) {
		t.Helper()
		require.EqualValues(t, "claude-sonnet-4-5", msg.Model)
		require.Equal(t, threeChunks, msg.Content[0].Text)
		require.EqualValues(t, fakellm.UncachedTokens, msg.Usage.InputTokens)
		require.EqualValues(t, fakellm.CachedTokens, msg.Usage.CacheReadInputTokens)
		require.EqualValues(t, fakellm.CacheWriteTokens, msg.Usage.CacheCreationInputTokens)
		if !tools {
			require.EqualValues(t, "end_turn", msg.StopReason)
			require.EqualValues(t, 3, msg.Usage.OutputTokens)
			return
		}
		require.EqualValues(t, "tool_use", msg.StopReason)
		require.Len(t, msg.Content, 2)
		require.Equal(t, "search", msg.Content[1].Name)
		require.JSONEq(t, `{"query":"fakellm"}`, string(msg.Content[1].Input))
	}

	for _, tools := range []bool{false, true} {
		name := "tools=" + map[bool]string{false: "no", true: "yes"}[tools]
		t.Run("blocking "+name, func(t *testing.T) {
			t.Parallel()
			msg, err := f.anthropic.Messages.New(t.Context(), messageParams(tools))
			require.NoError(t, err)
			check(t, msg, tools)
		})
		t.Run("streaming "+name, func(t *testing.T) {
			t.Parallel()
			stream := f.anthropic.Messages.NewStreaming(t.Context(), messageParams(tools))
			var msg anthropic.Message
			for stream.Next() {
				require.NoError(t, msg.Accumulate(stream.Current()))
			}
			require.NoError(t, stream.Err())
			check(t, &msg, tools)
		})
	}
}

// TestTiming checks the delay before the first chunk, the gaps between
// chunks, and their per-request overrides. Only lower bounds are checked,
// since a busy machine may add to any wait.
func TestTiming(t *testing.T) {
	t.Parallel()
	f := setup(t, fakellm.Options{Chunks: 2, Delay: 40 * time.Millisecond})

	start := time.Now()
	stream := f.openai.Chat.Completions.NewStreaming(t.Context(), chatParams(false),
		ooption.WithHeader(fakellm.HeaderChunks, "5"),
		ooption.WithHeader(fakellm.HeaderChunkDelay, "10ms"))
	var first time.Duration
	deltas := 0
	for stream.Next() {
		if first == 0 {
			first = time.Since(start)
		}
		if stream.Current().Choices[0].Delta.Content != "" {
			deltas++
		}
	}
	require.NoError(t, stream.Err())
	require.Equal(t, 5, deltas)
	require.GreaterOrEqual(t, first, 40*time.Millisecond)
	require.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond+4*10*time.Millisecond)

	start = time.Now()
	_, err := f.openai.Chat.Completions.New(t.Context(), chatParams(false),
		ooption.WithHeader(fakellm.HeaderDelay, "70ms"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), 70*time.Millisecond)

	_, err = f.openai.Chat.Completions.New(t.Context(), chatParams(false),
		ooption.WithHeader(fakellm.HeaderChunks, "zero"))
	requireStatus(t, err, 400)
}
