// Package openairesponses parses the exchanges of OpenAI's Responses API
// (POST /v1/responses) for recording: the request payload, a blocking
// response body and a response stream.
package openairesponses

import (
	"encoding/json"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
	"github.com/aigateway/aigateway/sse"
)

// ErrorEvent returns a stream event in the Responses API's error shape, with
// code "server_error", for the gateway to send when it must cut a stream
// short.
func ErrorEvent(message string) []byte {
	payload := struct {
		Type    string  `json:"type"`
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Param   *string `json:"param"`
	}{Type: "error", Code: "server_error", Message: message}

	// Marshalling strings into a fixed struct cannot fail.
	data, _ := json.Marshal(payload)
	return sse.AppendEvent(nil, "error", data)
}

// usageOf converts a usage object. OpenAI counts cached tokens within the
// input tokens; intercept.Usage counts them apart.
func usageOf(obj gjson.Result) intercept.Usage {
	input := jsonview.Int(obj.Get("input_tokens"))
	cached := jsonview.Int(obj.Get("input_tokens_details.cached_tokens"))

	return intercept.Usage{
		Input:     max(input-cached, 0),
		Output:    jsonview.Int(obj.Get("output_tokens")),
		CacheRead: cached,
		Raw:       json.RawMessage(obj.Raw),
	}
}

// errorOf returns copies of the code and message of an error object. The
// code falls back to the type, which the Chat Completions error shape uses.
func errorOf(obj gjson.Result) (code, message string) {
	code = jsonview.String(obj.Get("code"))
	if code == "" {
		code = jsonview.String(obj.Get("type"))
	}
	return strings.Clone(code), strings.Clone(jsonview.String(obj.Get("message")))
}
