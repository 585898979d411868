// Package openaichat parses the exchanges of OpenAI's Chat Completions API
// (POST /v1/chat/completions) for recording: the request payload, a blocking
// response body and a response stream. It also asks a stream for its usage
// when the client did not, so that every stream can be accounted for.
package openaichat

import (
	"encoding/json"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
	"github.com/aigateway/aigateway/sse"
)

// ErrorEvent returns a stream chunk in OpenAI's error shape, of type
// "server_error", for the gateway to send when it must cut a stream short.
func ErrorEvent(message string) []byte {
	type apiError struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	}
	payload := struct {
		Error apiError `json:"error"`
	}{Error: apiError{Message: message, Type: "server_error"}}

	// Marshalling strings into a fixed struct cannot fail.
	data, _ := json.Marshal(payload)
	return sse.AppendEvent(nil, "", data)
}

// usageOf converts a usage object. OpenAI counts cached tokens within the
// prompt tokens; intercept.Usage counts them apart.
func usageOf(obj gjson.Result) intercept.Usage {
	prompt := jsonview.Int(obj.Get("prompt_tokens"))
	cached := jsonview.Int(obj.Get("prompt_tokens_details.cached_tokens"))

	return intercept.Usage{
		Input:     max(prompt-cached, 0),
		Output:    jsonview.Int(obj.Get("completion_tokens")),
		CacheRead: cached,
		Raw:       json.RawMessage(obj.Raw),
	}
}

// errorOf returns copies of the type and message of an error object. The
// type falls back to the code, which some OpenAI-compatible servers send
// alone.
func errorOf(obj gjson.Result) (errType, message string) {
	errType = jsonview.String(obj.Get("type"))
	if code := obj.Get("code"); errType == "" && code.Exists() && code.Type != gjson.Null {
		errType = code.String()
	}
	return strings.Clone(errType), strings.Clone(jsonview.String(obj.Get("message")))
}

// reasoningOf returns the reasoning text of a message or delta. Servers that
// send both spellings send the same text in each.
func reasoningOf(obj gjson.Result) gjson.Result {
	if r := obj.Get("reasoning_content"); jsonview.String(r) != "" {
		return r
	}
	return obj.Get("reasoning")
}
