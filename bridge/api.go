package bridge

import (
	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/anthropic"
	"github.com/aigateway/aigateway/intercept/openaichat"
	"github.com/aigateway/aigateway/intercept/openairesponses"
)

// api is one bridged upstream API: how to read its requests and responses.
type api struct {
	// endpoint names the API in metrics, breakers and records.
	endpoint string
	// parseRequest reads the client's payload; its errors wrap
	// intercept.ErrBadRequest.
	parseRequest func(body []byte) (intercept.Request, error)
	// prepare may rewrite the payload sent upstream. It returns the body to
	// send and the options of the stream parser.
	prepare func(body []byte, req intercept.Request) ([]byte, streamOptions, error)
	// parseBlocking reads a complete response body.
	parseBlocking func(body []byte) (intercept.Record, error)
	// newStream returns a parser of the response stream.
	newStream func(opts streamOptions) intercept.Stream
	// errorEvent renders an error event that ends a stream, in the API's
	// format.
	errorEvent func(message string) []byte
}

// streamOptions tunes the stream parser of one request.
type streamOptions struct {
	// dropUsageOnly drops the final usage-only chunk of an OpenAI chat
	// stream whose usage the gateway asked for on the client's behalf.
	dropUsageOnly bool
}

func keepBody(body []byte, _ intercept.Request) ([]byte, streamOptions, error) {
	return body, streamOptions{}, nil
}

var anthropicMessages = api{
	endpoint:      "messages",
	parseRequest:  anthropic.ParseRequest,
	prepare:       keepBody,
	parseBlocking: anthropic.ParseBlocking,
	newStream:     func(streamOptions) intercept.Stream { return anthropic.NewStream() },
	errorEvent:    anthropic.ErrorEvent,
}

var openaiChat = api{
	endpoint:     "chat_completions",
	parseRequest: openaichat.ParseRequest,
	// A chat stream reports usage only when asked; the gateway asks, and
	// hides the extra chunk from a client that did not.
	prepare: func(body []byte, req intercept.Request) ([]byte, streamOptions, error) {
		if !req.Stream {
			return body, streamOptions{}, nil
		}
		out, injected, err := openaichat.EnsureIncludeUsage(body)
		return out, streamOptions{dropUsageOnly: injected}, err
	},
	parseBlocking: openaichat.ParseBlocking,
	newStream: func(opts streamOptions) intercept.Stream {
		return openaichat.NewStreamWithOptions(openaichat.StreamOptions{
			DropUsageOnly: opts.dropUsageOnly,
		})
	},
	errorEvent: openaichat.ErrorEvent,
}

var openaiResponses = api{
	endpoint:      "responses",
	parseRequest:  openairesponses.ParseRequest,
	prepare:       keepBody,
	parseBlocking: openairesponses.ParseBlocking,
	newStream:     func(streamOptions) intercept.Stream { return openairesponses.NewStream() },
	errorEvent:    openairesponses.ErrorEvent,
}
