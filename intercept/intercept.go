// Package intercept holds what the per-API interceptors have in common: the
// request facts and the record that parsing an upstream exchange yields.
//
// Each upstream API has its own package beside this one (anthropic,
// openaichat, openairesponses) with the same skeleton: request.go parses the
// client's request payload, blocking.go a complete response body and
// streaming.go a response stream, one event at a time. None of them does any
// I/O: the data plane relays the bytes and hands a copy to these parsers.
package intercept

import (
	"encoding/json"
	"errors"

	"github.com/aigateway/aigateway/sse"
)

// ErrBadRequest is wrapped by the errors of the ParseRequest functions when
// a request payload is not valid JSON or names no model. Callers answer it
// with a 400 in the provider's error shape.
var ErrBadRequest = errors.New("bad request")

// ErrBadResponse is wrapped by the errors of the ParseBlocking functions when
// a response body is not a JSON object.
var ErrBadResponse = errors.New("malformed response")

// Request is what the gateway records of a client's request payload.
type Request struct {
	// Model is the model the client asked for.
	Model string `json:"model"`

	// Stream is true when the client asked for a streamed response.
	Stream bool `json:"stream"`

	// Prompt is the text of the last user message: the message content
	// itself when it is a string, or the last text part of it when it is a
	// list of parts. It is empty when that message holds no text, such as a
	// message that only returns tool results.
	Prompt string `json:"prompt"`
}

// Usage is the token usage that one upstream response reported.
type Usage struct {
	// Input counts the input tokens that were neither read from nor written
	// to the provider's prompt cache.
	Input int64 `json:"input"`

	// Output counts the output tokens, reasoning tokens included.
	Output int64 `json:"output"`

	// CacheRead counts the input tokens read from the prompt cache.
	CacheRead int64 `json:"cache_read"`

	// CacheWrite counts the input tokens written to the prompt cache. Only
	// Anthropic reports them; it is zero for the OpenAI APIs.
	CacheWrite int64 `json:"cache_write"`

	// Raw is the provider's usage object as it sent it, or, for an Anthropic
	// stream, the usage of message_start updated by that of message_delta.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// ToolCall is one tool call that the model made.
type ToolCall struct {
	// ID is the provider's id for the call, which the tool's result quotes.
	ID string `json:"id"`

	// Name is the name of the tool called.
	Name string `json:"name"`

	// Input is the call's arguments as the JSON text the model produced;
	// for a stream, its fragments joined.
	Input string `json:"input"`
}

// Record is what one upstream response yields for recording.
type Record struct {
	// Usages holds the usage of each upstream response; normally one. It is
	// empty when the response reported none, as a stream cut short may not.
	Usages []Usage `json:"usages,omitempty"`

	// ToolCalls holds the tool calls in the order they began.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`

	// Thoughts holds the thinking or reasoning summary texts, one for each
	// block or summary part, in order.
	Thoughts []string `json:"thoughts,omitempty"`

	// Terminal is true when the response is complete: the provider's
	// terminal stream event was seen, or a blocking body was parsed.
	Terminal bool `json:"terminal"`

	// ErrorType and ErrorMessage describe the error the provider reported
	// inside a stream (or in a blocking body), if it reported one.
	ErrorType    string `json:"error_type,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
}

// Stream builds a Record from the events of a response stream. Each API
// package's NewStream returns one.
type Stream interface {
	// Event takes the next event of the stream, in order, and reports
	// whether the relay should drop it rather than pass it to the client.
	// The event's slices are not used after Event returns.
	Event(ev sse.Event) (drop bool)

	// Record returns what the events so far yield. It may be called at any
	// time, and more than once.
	Record() Record
}
