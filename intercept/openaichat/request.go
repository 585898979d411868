package openaichat

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
)

// ParseRequest reads what the gateway records from a Chat Completions
// request payload. It returns an error wrapping intercept.ErrBadRequest when
// body is not a JSON object or names no model.
func ParseRequest(body []byte) (intercept.Request, error) {
	doc, err := parseObject(body)
	if err != nil {
		return intercept.Request{}, err
	}

	model := jsonview.String(doc.Get("model"))
	if model == "" {
		return intercept.Request{}, fmt.Errorf("%w: model is missing", intercept.ErrBadRequest)
	}

	var last gjson.Result
	jsonview.Each(doc.Get("messages"), func(_, msg gjson.Result) bool {
		if jsonview.String(msg.Get("role")) == "user" {
			last = msg
		}
		return true
	})

	return intercept.Request{
		Model:  strings.Clone(model),
		Stream: doc.Get("stream").Type == gjson.True,
		Prompt: strings.Clone(jsonview.LastText(last.Get("content"), "text")),
	}, nil
}

// EnsureIncludeUsage makes a streamed request ask for the usage chunk, so
// that the gateway can account for the stream: when "stream" is true and
// "stream_options.include_usage" is not, it sets it, and reports injected.
// Every other byte of body stays as it was. A body that is not streamed, or
// already asks for usage, is returned unchanged.
//
// When injected is true, the client did not ask for the usage chunk, and the
// relay drops it from the stream (see StreamOptions).
func EnsureIncludeUsage(body []byte) (newBody []byte, injected bool, err error) {
	doc, err := parseObject(body)
	if err != nil {
		return nil, false, err
	}

	if doc.Get("stream").Type != gjson.True {
		return body, false, nil
	}
	opts := doc.Get("stream_options")
	if opts.Get("include_usage").Type == gjson.True {
		return body, false, nil
	}

	// A stream_options that is not an object (null, most likely) has
	// nothing to keep, and no member to set.
	if opts.Exists() && !opts.IsObject() {
		newBody, err = sjson.SetRawBytes(body, "stream_options", []byte(`{"include_usage":true}`))
	} else {
		newBody, err = sjson.SetBytes(body, "stream_options.include_usage", true)
	}
	if err != nil {
		return nil, false, fmt.Errorf("set include_usage: %w", err)
	}
	return newBody, true, nil
}

// parseObject returns a view of body, or an error wrapping
// intercept.ErrBadRequest when body is not a JSON object.
func parseObject(body []byte) (gjson.Result, error) {
	doc := jsonview.Parse(body)
	if !jsonview.Valid(body) || !doc.IsObject() {
		return gjson.Result{}, fmt.Errorf("%w: body is not a JSON object", intercept.ErrBadRequest)
	}
	return doc, nil
}
