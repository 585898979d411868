package anthropic

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
)

// ParseBlocking reads what the gateway records from a blocking Messages
// response body, or from an error body. It returns an error wrapping
// intercept.ErrBadResponse when body is not a JSON object.
func ParseBlocking(body []byte) (intercept.Record, error) {
	doc := jsonview.Parse(body)
	if !jsonview.Valid(body) || !doc.IsObject() {
		return intercept.Record{}, fmt.Errorf("%w: body is not a JSON object", intercept.ErrBadResponse)
	}

	rec := intercept.Record{Terminal: true}
	if jsonview.String(doc.Get("type")) == "error" {
		rec.ErrorType, rec.ErrorMessage = errorOf(doc.Get("error"))
		rec.ErrorType = strings.Clone(rec.ErrorType)
		rec.ErrorMessage = strings.Clone(rec.ErrorMessage)
	}

	if usage := doc.Get("usage"); usage.IsObject() {
		u := intercept.Usage{Raw: json.RawMessage(usage.Raw)}
		applyUsage(&u, usage)
		rec.Usages = []intercept.Usage{u}
	}

	jsonview.Each(doc.Get("content"), func(_, block gjson.Result) bool {
		switch jsonview.String(block.Get("type")) {
		case "tool_use":
			rec.ToolCalls = append(rec.ToolCalls, intercept.ToolCall{
				ID:    strings.Clone(jsonview.String(block.Get("id"))),
				Name:  strings.Clone(jsonview.String(block.Get("name"))),
				Input: strings.Clone(jsonview.Compact(block.Get("input").Raw)),
			})
		case "thinking":
			if text := jsonview.String(block.Get("thinking")); text != "" {
				rec.Thoughts = append(rec.Thoughts, strings.Clone(text))
			}
		}
		return true
	})

	return rec, nil
}
