package openairesponses

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
)

// ParseRequest reads what the gateway records from a Responses request
// payload. The prompt is the input itself when it is a string, or else the
// last user message among the input items. It returns an error wrapping
// intercept.ErrBadRequest when body is not a JSON object or names no model.
func ParseRequest(body []byte) (intercept.Request, error) {
	doc := jsonview.Parse(body)
	if !jsonview.Valid(body) || !doc.IsObject() {
		return intercept.Request{}, fmt.Errorf("%w: body is not a JSON object", intercept.ErrBadRequest)
	}

	model := jsonview.String(doc.Get("model"))
	if model == "" {
		return intercept.Request{}, fmt.Errorf("%w: model is missing", intercept.ErrBadRequest)
	}

	input := doc.Get("input")
	prompt := jsonview.String(input)
	if input.IsArray() {
		// A message item may leave out its "type"; any other item has one.
		var last gjson.Result
		input.ForEach(func(_, item gjson.Result) bool {
			typ := jsonview.String(item.Get("type"))
			if (typ == "" || typ == "message") && jsonview.String(item.Get("role")) == "user" {
				last = item
			}
			return true
		})
		prompt = jsonview.LastText(last.Get("content"), "input_text")
	}

	return intercept.Request{
		Model:  strings.Clone(model),
		Stream: doc.Get("stream").Type == gjson.True,
		Prompt: strings.Clone(prompt),
	}, nil
}
