package openairesponses

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
)

// ParseBlocking reads what the gateway records from a blocking Responses
// body (a response object), or from an error body. It returns an error
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

	jsonview.Each(doc.Get("output"), func(_, item gjson.Result) bool {
		switch jsonview.String(item.Get("type")) {
		case "function_call":
			rec.ToolCalls = append(rec.ToolCalls, intercept.ToolCall{
				ID:    strings.Clone(jsonview.String(item.Get("call_id"))),
				Name:  strings.Clone(jsonview.String(item.Get("name"))),
				Input: strings.Clone(jsonview.String(item.Get("arguments"))),
			})
		case "reasoning":
			jsonview.Each(item.Get("summary"), func(_, part gjson.Result) bool {
				if text := jsonview.String(part.Get("text")); text != "" {
					rec.Thoughts = append(rec.Thoughts, strings.Clone(text))
				}
				return true
			})
		}
		return true
	})

	return rec, nil
}
