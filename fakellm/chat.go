package fakellm

// OpenAI Chat Completions: POST /v1/chat/completions.

const chatUsage = `"usage":{"prompt_tokens":1850,"completion_tokens":{{out}},` +
	`"total_tokens":{{total}},"prompt_tokens_details":{"cached_tokens":1536,` +
	`"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,` +
	`"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`

// chatHead opens every chunk: id, object, time and model.
const chatHead = `data: {"id":"chatcmpl-{{id}}","object":"chat.completion.chunk",` +
	`"created":{{created}},"model":{{model}},"service_tier":"default",` +
	`"system_fingerprint":"fp_fakellm",`

// chatCall is the tool call of an answer to a request with tools. Its
// arguments are a JSON text inside a JSON string.
const chatCall = `"tool_calls":[{"id":"call_{{id}}","type":"function","function":` +
	`{"name":{{tool}},"arguments":"{\"query\":\"fakellm\"}"}}]`

var chatAPI = api{
	toolPath: "tools.0.function.name",
	blockingText: compile(`{"id":"chatcmpl-{{id}}","object":"chat.completion",` +
		`"created":{{created}},"model":{{model}},"choices":[{"index":0,"message":` +
		`{"role":"assistant","content":"{{text}}","refusal":null,"annotations":[]},` +
		`"logprobs":null,"finish_reason":"stop"}],` + chatUsage +
		`,"service_tier":"default","system_fingerprint":"fp_fakellm"}`),
	blockingTool: compile(`{"id":"chatcmpl-{{id}}","object":"chat.completion",` +
		`"created":{{created}},"model":{{model}},"choices":[{"index":0,"message":` +
		`{"role":"assistant","content":"{{text}}","refusal":null,"annotations":[],` +
		chatCall + `},"logprobs":null,"finish_reason":"tool_calls"}],` + chatUsage +
		`,"service_tier":"default","system_fingerprint":"fp_fakellm"}`),
	head: compile(chatHead + `"choices":[{"index":0,"delta":{"role":"assistant",` +
		`"content":"","refusal":null},"logprobs":null,"finish_reason":null}]}` + "\n\n"),
	delta: compile(chatHead + `"choices":[{"index":0,"delta":{"content":"{{word}}"},` +
		`"logprobs":null,"finish_reason":null}]}` + "\n\n"),
	tail:       chatTail,
	errorEvent: compile(chatError),
	partial:    compile(`data: {"id":"chatcmpl-{{id}}","object":"chat.compl`),
}

const chatError = `data: {"error":{"message":"The server had an error while ` +
	`processing your request. Sorry about that!","type":"server_error",` +
	`"param":null,"code":null}}` + "\n\n"

var (
	chatToolStart = compile(chatHead + `"choices":[{"index":0,"delta":{"tool_calls":` +
		`[{"index":0,"id":"call_{{id}}","type":"function","function":{"name":{{tool}},` +
		`"arguments":""}}]},"logprobs":null,"finish_reason":null}]}` + "\n\n")
	chatToolArgs = compile(chatHead + `"choices":[{"index":0,"delta":{"tool_calls":` +
		`[{"index":0,"function":{"arguments":"{\"query\":"}}]},"logprobs":null,` +
		`"finish_reason":null}]}` + "\n\n" +
		chatHead + `"choices":[{"index":0,"delta":{"tool_calls":` +
		`[{"index":0,"function":{"arguments":"\"fakellm\"}"}}]},"logprobs":null,` +
		`"finish_reason":null}]}` + "\n\n")
	chatStop = compile(chatHead + `"choices":[{"index":0,"delta":{},"logprobs":null,` +
		`"finish_reason":"stop"}]}` + "\n\n")
	chatToolStop = compile(chatHead + `"choices":[{"index":0,"delta":{},"logprobs":null,` +
		`"finish_reason":"tool_calls"}]}` + "\n\n")
	chatUsageChunk = compile(chatHead + `"choices":[],` + chatUsage + "}\n\n")
	chatDone       = []byte("data: [DONE]\n\n")
)

// chatTail appends the events after the last text chunk: the tool call,
// the finish reason, the usage when the client asked for it
// (stream_options.include_usage), and [DONE].
func chatTail(dst []byte, a *answer) []byte {
	if a.tool != "" {
		dst = chatToolStart.render(dst, a)
		dst = chatToolArgs.render(dst, a)
		dst = chatToolStop.render(dst, a)
	} else {
		dst = chatStop.render(dst, a)
	}
	if a.usage {
		dst = chatUsageChunk.render(dst, a)
	}
	return append(dst, chatDone...)
}
