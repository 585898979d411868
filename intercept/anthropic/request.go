package anthropic

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
)

// ParseRequest reads what the gateway records from a Messages request
// payload. It returns an error wrapping intercept.ErrBadRequest when body is
// not a JSON object or names no model.
func ParseRequest(body []byte) (intercept.Request, error) {
	doc := jsonview.Parse(body)
	if !jsonview.Valid(body) || !doc.IsObject() {
		return intercept.Request{}, fmt.Errorf("%w: body is not a JSON object", intercept.ErrBadRequest)
	}

	model := jsonview.String(doc.Get("model"))
	if model == "" {
		return intercept.Request{}, fmt.Errorf("%w: model is missing", intercept.ErrBadRequest)
	}

	// The prompt is the last user message, even when it only carries tool
	// results and so no text.
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
