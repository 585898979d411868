package bridge_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/fixture"
	"github.com/aigateway/aigateway/recorder"
)

// openaiClient is the official OpenAI client pointed at the gateway, with
// the gateway token as its API key and no retries.
func (g *gateway) openaiClient() openai.Client {
	return openai.NewClient(
		option.WithBaseURL(g.url("openai", "/v1")),
		option.WithAPIKey(g.token),
		option.WithMaxRetries(0),
	)
}

// chatResult is what the OpenAI client made of a chat completion.
type chatResult struct {
	// completion is the blocking answer, or the one the client's
	// accumulator built from the stream.
	completion openai.ChatCompletion
	// reasoning joins the reasoning_content the answer carried.
	reasoning string
	header    http.Header
	err       error
}

// sendChat sends the fixture's prompt and model with the client, streaming
// when the fixture streams.
func (g *gateway) sendChat(f fixture.Fixture, opts ...option.RequestOption) chatResult {
	g.t.Helper()

	ctx := waitCtx(g.t)
	client := g.openaiClient()
	params := openai.ChatCompletionNewParams{
		Model:    f.Want.Request.Model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(f.Want.Request.Prompt)},
	}
	var res chatResult
	var resp *http.Response
	opts = append(opts, option.WithResponseInto(&resp))
	if !f.Streaming {
		c, err := client.Chat.Completions.New(ctx, params, opts...)
		res.header, res.err = headerOf(resp), err
		if c != nil {
			res.completion = *c
			res.reasoning = extraString(c.Choices[0].Message.JSON.ExtraFields["reasoning_content"])
		}
		return res
	}

	stream := client.Chat.Completions.NewStreaming(ctx, params, opts...)
	defer func() { _ = stream.Close() }()
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		chunk := stream.Current()
		acc.AddChunk(chunk)
		if len(chunk.Choices) > 0 {
			delta := chunk.Choices[0].Delta.JSON.ExtraFields["reasoning_content"]
			res.reasoning += extraString(delta)
		}
	}
	res.completion, res.header, res.err = acc.ChatCompletion, headerOf(resp), stream.Err()
	return res
}

// extraString decodes a field the client does not know, "" when absent or
// not a string.
func extraString(f interface{ Raw() string }) string {
	var s string
	_ = json.Unmarshal([]byte(f.Raw()), &s)
	return s
}

// TestOpenAIChatSDK drives chat completions with the official OpenAI client
// and checks what the client returns and what was recorded.
func TestOpenAIChatSDK(t *testing.T) {
	t.Parallel()

	cases := []struct {
		fixture string
		opts    []option.RequestOption
		check   func(t *testing.T, res chatResult)
	}{
		{fixture: "blocking_text", check: func(t *testing.T, res chatResult) {
			require.Equal(t, "101 is prime.", res.completion.Choices[0].Message.Content)
			require.Equal(t, int64(1250), res.completion.Usage.PromptTokens)
			require.Equal(t, int64(1152), res.completion.Usage.PromptTokensDetails.CachedTokens)
		}},
		{fixture: "blocking_tool_call", check: func(t *testing.T, res chatResult) {
			calls := res.completion.Choices[0].Message.ToolCalls
			require.Len(t, calls, 1)
			require.Equal(t, "call_BlkTool00000000000000001", calls[0].ID)
			require.Equal(t, "get_weather", calls[0].Function.Name)
			require.Equal(t, "{\n  \"location\": \"Boston, MA\"\n}", calls[0].Function.Arguments)
		}},
		{fixture: "blocking_reasoning", check: func(t *testing.T, res chatResult) {
			require.Equal(t, "Yes, it is a Mersenne prime.", res.completion.Choices[0].Message.Content)
			require.Equal(t, "2^61-1 is M61, which Pervushin proved prime in 1883.", res.reasoning)
		}},
		{fixture: "stream_text", check: func(t *testing.T, res chatResult) {
			require.Equal(t, "The capital of Italy is Rome.",
				res.completion.Choices[0].Message.Content)
			// The client did not ask for usage, so the chunk that carries it
			// was kept from it.
			require.Zero(t, res.completion.Usage.TotalTokens)
		}},
		{
			fixture: "stream_client_usage",
			opts: []option.RequestOption{
				option.WithJSONSet("stream_options", map[string]any{"include_usage": true}),
			},
			check: func(t *testing.T, res chatResult) {
				require.Equal(t, "Hello! How can I help?", res.completion.Choices[0].Message.Content)
				require.Equal(t, int64(18), res.completion.Usage.TotalTokens)
			},
		},
		{fixture: "stream_tool_call", check: func(t *testing.T, res chatResult) {
			calls := res.completion.Choices[0].Message.ToolCalls
			require.Len(t, calls, 1)
			require.Equal(t, "call_DdmO9pD3xa9XTPNJ32zg2hcA", calls[0].ID)
			require.Equal(t, "get_weather", calls[0].Function.Name)
			require.Equal(t, `{"location":"Boston, MA","unit":"f"}`, calls[0].Function.Arguments)
		}},
		{fixture: "blocking_parallel_tools", check: func(t *testing.T, res chatResult) {
			require.Equal(t, "tool_calls", res.completion.Choices[0].FinishReason)
		}},
		{fixture: "stream_parallel_tools", check: func(t *testing.T, res chatResult) {
			require.Equal(t, "tool_calls", res.completion.Choices[0].FinishReason)
		}},
		{fixture: "stream_cache", check: func(t *testing.T, res chatResult) {
			// The gateway asked for usage; the client did not get it.
			require.Zero(t, res.completion.Usage.PromptTokens)
		}},
		{fixture: "stream_reasoning", check: func(t *testing.T, res chatResult) {
			require.Equal(t, "17 × 3 = 51", res.completion.Choices[0].Message.Content)
			require.Equal(t, "The user asks for 17 × 3. That is 51.", res.reasoning)
		}},
	}
	ac := apiNamed("ChatCompletions")
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			f := fixtureNamed(t, ac, tc.fixture)
			g.answerWith(f)

			res := g.sendChat(f, tc.opts...)
			require.NoError(t, res.err)
			tc.check(t, res)
			var calls []intercept.ToolCall
			for _, c := range res.completion.Choices[0].Message.ToolCalls {
				calls = append(calls, intercept.ToolCall{
					ID: c.ID, Name: c.Function.Name, Input: c.Function.Arguments,
				})
			}
			requireToolCalls(t, f.Want.Record.ToolCalls, calls)

			seen := g.upstream.seen()
			require.Len(t, seen, 1)
			require.Equal(t, "/v1/chat/completions", seen[0].Path)
			require.Equal(t, "Bearer "+openaiKey, seen[0].Header.Get("Authorization"))
			if f.Streaming {
				// Whatever the client asked, the upstream is asked for usage.
				require.Contains(t, string(seen[0].Body), `"include_usage":true`)
			}

			ic := g.requireSDKRecord(res.header, f)
			require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
		})
	}
}

// responsesResult is what the OpenAI client made of a response.
type responsesResult struct {
	// response is the blocking answer, or the one that ended the stream.
	response responses.Response
	// events are the types of the streamed events, in order.
	events []string
	// text joins the streamed output text deltas.
	text string
	// done holds the texts of the streamed *.done events, by event type.
	done   map[string][]string
	header http.Header
	err    error
}

// sendResponses sends the fixture's prompt and model with the client,
// streaming when the fixture streams.
func (g *gateway) sendResponses(f fixture.Fixture) responsesResult {
	g.t.Helper()

	ctx := waitCtx(g.t)
	client := g.openaiClient()
	params := responses.ResponseNewParams{
		Model: f.Want.Request.Model,
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(f.Want.Request.Prompt)},
	}
	res := responsesResult{done: map[string][]string{}}
	var resp *http.Response
	into := option.WithResponseInto(&resp)
	if !f.Streaming {
		r, err := client.Responses.New(ctx, params, into)
		res.header, res.err = headerOf(resp), err
		if r != nil {
			res.response = *r
		}
		return res
	}

	stream := client.Responses.NewStreaming(ctx, params, into)
	defer func() { _ = stream.Close() }()
	for stream.Next() {
		ev := stream.Current()
		res.events = append(res.events, ev.Type)
		switch {
		case ev.Type == "response.output_text.delta":
			res.text += ev.Delta
		case ev.Type == "error":
			res.done[ev.Type] = append(res.done[ev.Type], ev.Message)
		case ev.Type == "response.function_call_arguments.done":
			res.done[ev.Type] = append(res.done[ev.Type], ev.Arguments)
		case strings.HasSuffix(ev.Type, ".done"):
			res.done[ev.Type] = append(res.done[ev.Type], ev.Text)
		case ev.Type == "response.completed":
			res.response = ev.Response
		}
	}
	res.header, res.err = headerOf(resp), stream.Err()
	return res
}

// TestOpenAIResponsesSDK drives the Responses API with the official OpenAI
// client and checks what the client returns and what was recorded.
func TestOpenAIResponsesSDK(t *testing.T) {
	t.Parallel()

	cases := []struct {
		fixture string
		check   func(t *testing.T, res responsesResult)
	}{
		{"blocking_text", func(t *testing.T, res responsesResult) {
			require.Equal(t, "101.", res.response.OutputText())
			require.Equal(t, int64(2110), res.response.Usage.InputTokens)
			require.Equal(t, int64(1920), res.response.Usage.InputTokensDetails.CachedTokens)
		}},
		{"blocking_tool_call", func(t *testing.T, res responsesResult) {
			call := res.response.Output[0]
			require.Equal(t, "function_call", call.Type)
			require.Equal(t, "call_BlkOne0000000000000000000", call.CallID)
			require.Equal(t, "get_weather", call.Name)
			require.Equal(t, `{"location": "Paris", "unit": null}`, call.Arguments.OfString)
		}},
		{"blocking_reasoning", func(t *testing.T, res responsesResult) {
			summary := res.response.Output[0].Summary
			require.Len(t, summary, 1)
			require.Equal(t, "**Recalling Mersenne primes**\n\nM61 was proved prime by Pervushin.",
				summary[0].Text)
			require.Equal(t, "Yes.", res.response.OutputText())
		}},
		{"stream_text", func(t *testing.T, res responsesResult) {
			require.Equal(t, "Rome is the capital of Italy.", res.text)
			require.Equal(t, "response.completed", res.events[len(res.events)-1])
			require.Equal(t, int64(27), res.response.Usage.InputTokens)
		}},
		{"stream_tool_call", func(t *testing.T, res responsesResult) {
			require.Equal(t, []string{`{"location":"Paris, France","unit":"c"}`},
				res.done["response.function_call_arguments.done"])
		}},
		{"blocking_parallel_tools", func(t *testing.T, res responsesResult) {
			require.Len(t, res.response.Output, 2)
		}},
		{"stream_parallel_tools", func(t *testing.T, res responsesResult) {
			require.Len(t, res.done["response.function_call_arguments.done"], 2)
		}},
		{"stream_cache", func(t *testing.T, res responsesResult) {
			require.Equal(t, int64(3968), res.response.Usage.InputTokensDetails.CachedTokens)
		}},
		{"stream_reasoning", func(t *testing.T, res responsesResult) {
			require.Equal(t, []string{
				"**Checking divisibility**\n\n391 is odd and not divisible by 3, 5, 7, 11 or 13.",
				"**Trying 17**\n\n17 × 23 = 391, so it is composite.",
			}, res.done["response.reasoning_summary_text.done"])
			require.Equal(t, "No: 391 = 17 × 23.", res.text)
		}},
	}
	ac := apiNamed("Responses")
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			f := fixtureNamed(t, ac, tc.fixture)
			g.answerWith(f)

			res := g.sendResponses(f)
			require.NoError(t, res.err)
			tc.check(t, res)
			var calls []intercept.ToolCall
			for _, item := range res.response.Output {
				if item.Type == "function_call" {
					calls = append(calls, intercept.ToolCall{
						ID: item.CallID, Name: item.Name, Input: item.Arguments.OfString,
					})
				}
			}
			requireToolCalls(t, f.Want.Record.ToolCalls, calls)

			seen := g.upstream.seen()
			require.Len(t, seen, 1)
			require.Equal(t, "/v1/responses", seen[0].Path)
			require.Equal(t, "Bearer "+openaiKey, seen[0].Header.Get("Authorization"))

			ic := g.requireSDKRecord(res.header, f)
			require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
		})
	}
}
