package fakellm

import "strings"

// OpenAI Responses: POST /v1/responses.

const (
	responsesUsage = `{"input_tokens":1850,"input_tokens_details":{"cached_tokens":1536},` +
		`"output_tokens":{{out}},"output_tokens_details":{"reasoning_tokens":0},` +
		`"total_tokens":{{total}}}`
	responsesMessage = `{"id":"msg_{{id}}","type":"message","status":"completed",` +
		`"content":[{"type":"output_text","annotations":[],"logprobs":[],` +
		`"text":"{{text}}"}],"role":"assistant"}`
	responsesCall = `{"id":"fc_{{id}}","type":"function_call","status":"completed",` +
		`"arguments":"{\"query\":\"fakellm\"}","call_id":"call_{{id}}","name":{{tool}}}`
)

// responsesObject returns a response object with the status, output and
// usage given.
func responsesObject(status, output, usage string) string {
	return `{"id":"resp_{{id}}","object":"response","created_at":{{created}},` +
		`"status":"` + status + `","background":false,"error":null,` +
		`"incomplete_details":null,"instructions":null,"max_output_tokens":null,` +
		`"max_tool_calls":null,"model":{{model}},"output":` + output + `,` +
		`"parallel_tool_calls":true,"previous_response_id":null,` +
		`"prompt_cache_key":null,"reasoning":{"effort":null,"summary":null},` +
		`"safety_identifier":null,"service_tier":"default","store":true,` +
		`"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},` +
		`"tool_choice":"auto","tools":[],"top_logprobs":0,"top_p":1.0,` +
		`"truncation":"disabled","usage":` + usage + `,"user":null,"metadata":{}}`
}

// responsesEvent returns an event of the type given; body follows the
// sequence number inside the data object.
func responsesEvent(typ, body string) string {
	return "event: " + typ + "\ndata: {\"type\":\"" + typ +
		`","sequence_number":{{seq}},` + body + "}\n\n"
}

// responsesText addresses the text part of the message item.
const responsesText = `"item_id":"msg_{{id}}","output_index":0,"content_index":0,`

var responsesAPI = api{
	toolPath: "tools.#(type==\"function\").name",
	blockingText: compile(responsesObject("completed",
		"["+responsesMessage+"]", responsesUsage)),
	blockingTool: compile(responsesObject("completed",
		"["+responsesMessage+","+responsesCall+"]", responsesUsage)),
	head: compile(strings.Join([]string{
		responsesEvent("response.created",
			`"response":`+responsesObject("in_progress", "[]", "null")),
		responsesEvent("response.in_progress",
			`"response":`+responsesObject("in_progress", "[]", "null")),
		responsesEvent("response.output_item.added", `"output_index":0,"item":`+
			`{"id":"msg_{{id}}","type":"message","status":"in_progress",`+
			`"content":[],"role":"assistant"}`),
		responsesEvent("response.content_part.added", responsesText+
			`"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}`),
	}, "")),
	delta: compile(responsesEvent("response.output_text.delta",
		responsesText+`"delta":"{{word}}","logprobs":[]`)),
	tail: responsesTail,
	errorEvent: compile("event: error\ndata: {\"type\":\"error\"," +
		`"sequence_number":{{seq}},"code":"server_error","message":"An error ` +
		`occurred while processing your request.","param":null}` + "\n\n"),
	partial: compile("event: response.output_text.delta\ndata: {\"type\":\"resp"),
}

var (
	responsesTextDone = compile(strings.Join([]string{
		responsesEvent("response.output_text.done",
			responsesText+`"text":"{{text}}","logprobs":[]`),
		responsesEvent("response.content_part.done", responsesText+
			`"part":{"type":"output_text","annotations":[],"logprobs":[],`+
			`"text":"{{text}}"}`),
		responsesEvent("response.output_item.done", `"output_index":0,"item":`+
			responsesMessage),
	}, ""))
	responsesCallEvents = compile(strings.Join([]string{
		responsesEvent("response.output_item.added", `"output_index":1,"item":`+
			`{"id":"fc_{{id}}","type":"function_call","status":"in_progress",`+
			`"arguments":"","call_id":"call_{{id}}","name":{{tool}}}`),
		responsesEvent("response.function_call_arguments.delta",
			`"item_id":"fc_{{id}}","output_index":1,"delta":"{\"query\":"`),
		responsesEvent("response.function_call_arguments.delta",
			`"item_id":"fc_{{id}}","output_index":1,"delta":"\"fakellm\"}"`),
		responsesEvent("response.function_call_arguments.done",
			`"item_id":"fc_{{id}}","output_index":1,`+
				`"arguments":"{\"query\":\"fakellm\"}"`),
		responsesEvent("response.output_item.done", `"output_index":1,"item":`+
			responsesCall),
	}, ""))
	responsesCompleted = compile(responsesEvent("response.completed",
		`"response":`+responsesObject("completed", "["+responsesMessage+"]",
			responsesUsage)))
	responsesToolCompleted = compile(responsesEvent("response.completed",
		`"response":`+responsesObject("completed",
			"["+responsesMessage+","+responsesCall+"]", responsesUsage)))
)

// responsesTail appends the events after the last text chunk: the end of
// the message item, the function call item, and response.completed.
func responsesTail(dst []byte, a *answer) []byte {
	dst = responsesTextDone.render(dst, a)
	if a.tool == "" {
		return responsesCompleted.render(dst, a)
	}
	dst = responsesCallEvents.render(dst, a)
	return responsesToolCompleted.render(dst, a)
}
