// Package anthropic parses the exchanges of Anthropic's Messages API
// (POST /v1/messages) for recording: the request payload, a blocking
// response body and a response stream.
package anthropic

import (
	"encoding/json"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
	"github.com/aigateway/aigateway/sse"
)

// ErrorEvent returns a stream event in Anthropic's error shape, of type
// "api_error", for the gateway to send when it must cut a stream short.
func ErrorEvent(message string) []byte {
	payload := struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}{Type: "error"}
	payload.Error.Type = "api_error"
	payload.Error.Message = message

	// Marshalling strings into a fixed struct cannot fail.
	data, _ := json.Marshal(payload)
	return sse.AppendEvent(nil, "error", data)
}

// applyUsage sets in u the counts that the usage object obj holds. A count
// that is absent or null leaves u's value as it was, so that a later usage
// object updates an earlier one field by field.
func applyUsage(u *intercept.Usage, obj gjson.Result) {
	set := func(dst *int64, field string) {
		if v := obj.Get(field); v.Type == gjson.Number {
			*dst = v.Int()
		}
	}

	set(&u.Input, "input_tokens")
	set(&u.Output, "output_tokens")
	set(&u.CacheRead, "cache_read_input_tokens")
	set(&u.CacheWrite, "cache_creation_input_tokens")
}

// errorOf returns the type and message of an error object.
func errorOf(obj gjson.Result) (errType, message string) {
	return jsonview.String(obj.Get("type")), jsonview.String(obj.Get("message"))
}
