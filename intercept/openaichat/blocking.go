package openaichat

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
)

// ParseBlocking reads what the gateway records from a blocking Chat
// Completions response body, or from an error body. It returns an error
// wrapping intercept.ErrBadResponse when body is not a JSON object.
func ParseBlocking(body []byte) (intercept.Record, error) {
	doc := jsonview.Parse(body)
	if !jsonview.Valid(body) || !doc.IsObject() {
		return intercept.Record{}, fmt.Errorf("%w: body is not a JSON object", intercept.ErrBadResponse)
	}

	rec := intercept.Record{Terminal: true}
	if e := doc.Get("error"); e.IsObject() {
		rec.ErrorType, rec.ErrorMessage = errorOf(e)
	}
	if usage := doc.Get("usage"); usage.IsObject() {
		rec.Usages = []intercept.Usage{usageOf(usage)}
	}

	jsonview.Each(doc.Get("choices"), func(_, choice gjson.Result) bool {
		msg := choice.Get("message")
		if text := jsonview.String(reasoningOf(msg)); text != "" {
			rec.Thoughts = append(rec.Thoughts, strings.Clone(text))
		}

		jsonview.Each(msg.Get("tool_calls"), func(_, call gjson.Result) bool {
			fn := call.Get("function")
			rec.ToolCalls = append(rec.ToolCalls, intercept.ToolCall{
				ID:    strings.Clone(jsonview.String(call.Get("id"))),
				Name:  strings.Clone(jsonview.String(fn.Get("name"))),
				Input: strings.Clone(jsonview.String(fn.Get("arguments"))),
			})
			return true
		})
		return true
	})

	return rec, nil
}
