package fakellm

import "strings"

// Anthropic Messages: POST /v1/messages.

const (
	messagesUsage = `{"input_tokens":314,"cache_creation_input_tokens":128,` +
		`"cache_read_input_tokens":1536,"cache_creation":` +
		`{"ephemeral_5m_input_tokens":128,"ephemeral_1h_input_tokens":0},` +
		`"output_tokens":{{out}},"service_tier":"standard"}`
	messagesToolUse = `{"type":"tool_use","id":"toolu_{{id}}","name":{{tool}},` +
		`"input":{"query":"fakellm"}}`
)

// messagesObject returns a message with the content and stop reason given.
func messagesObject(content, stop string) string {
	return `{"id":"msg_{{id}}","type":"message","role":"assistant","model":{{model}},` +
		`"content":` + content + `,"stop_reason":` + stop + `,"stop_sequence":null,` +
		`"usage":` + messagesUsage + `}`
}

// messagesEvent returns an event whose data is the object given.
func messagesEvent(typ, data string) string {
	return "event: " + typ + "\ndata: " + data + "\n\n"
}

const messagesText = `{"type":"text","text":"{{text}}"}`

var messagesAPI = api{
	anthropic:    true,
	toolPath:     "tools.0.name",
	blockingText: compile(messagesObject("["+messagesText+"]", `"end_turn"`)),
	blockingTool: compile(messagesObject("["+messagesText+","+messagesToolUse+"]",
		`"tool_use"`)),
	head: compile(strings.Join([]string{
		messagesEvent("message_start", `{"type":"message_start","message":`+
			strings.Replace(messagesObject("[]", "null"), "{{out}}", "1", 1)+`}`),
		messagesEvent("content_block_start", `{"type":"content_block_start",`+
			`"index":0,"content_block":{"type":"text","text":""}}`),
		messagesEvent("ping", `{"type": "ping"}`),
	}, "")),
	delta: compile(messagesEvent("content_block_delta", `{"type":"content_block_delta",`+
		`"index":0,"delta":{"type":"text_delta","text":"{{word}}"}}`)),
	tail: messagesTail,
	errorEvent: compile(messagesEvent("error", `{"type":"error","error":`+
		`{"type":"overloaded_error","message":"Overloaded"}}`)),
	partial: compile("event: content_block_delta\ndata: {\"type\":\"content_bl"),
}

var (
	messagesTextStop = []byte(messagesEvent("content_block_stop",
		`{"type":"content_block_stop","index":0}`))
	messagesCall = compile(strings.Join([]string{
		messagesEvent("content_block_start", `{"type":"content_block_start",`+
			`"index":1,"content_block":{"type":"tool_use","id":"toolu_{{id}}",`+
			`"name":{{tool}},"input":{}}}`),
		messagesEvent("content_block_delta", `{"type":"content_block_delta",`+
			`"index":1,"delta":{"type":"input_json_delta","partial_json":""}}`),
		messagesEvent("content_block_delta", `{"type":"content_block_delta",`+
			`"index":1,"delta":{"type":"input_json_delta",`+
			`"partial_json":"{\"query\":"}}`),
		messagesEvent("content_block_delta", `{"type":"content_block_delta",`+
			`"index":1,"delta":{"type":"input_json_delta",`+
			`"partial_json":" \"fakellm\"}"}}`),
		messagesEvent("content_block_stop", `{"type":"content_block_stop","index":1}`),
	}, ""))
	messagesEnd     = compile(messagesStop(`"end_turn"`))
	messagesToolEnd = compile(messagesStop(`"tool_use"`))
)

// messagesStop returns the last two events of a stream: message_delta with
// the stop reason and the usage, and message_stop.
func messagesStop(reason string) string {
	return messagesEvent("message_delta", `{"type":"message_delta","delta":`+
		`{"stop_reason":`+reason+`,"stop_sequence":null},"usage":`+messagesUsage+`}`) +
		messagesEvent("message_stop", `{"type":"message_stop"}`)
}

// messagesTail appends the events after the last text chunk: the end of the
// text block, the tool_use block, message_delta and message_stop.
func messagesTail(dst []byte, a *answer) []byte {
	dst = append(dst, messagesTextStop...)
	if a.tool == "" {
		return messagesEnd.render(dst, a)
	}
	dst = messagesCall.render(dst, a)
	return messagesToolEnd.render(dst, a)
}
