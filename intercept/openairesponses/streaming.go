package openairesponses

import (
	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/collect"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
	"github.com/aigateway/aigateway/sse"
)

// Stream builds a Record from the events of a Responses stream. Tool calls
// and reasoning summaries are keyed by the output index of their item.
type Stream struct {
	usage    intercept.Usage
	hasUsage bool

	tools    collect.ToolCalls
	thoughts collect.Texts

	terminal         bool
	errType, errText string
}

var _ intercept.Stream = (*Stream)(nil)

// NewStream returns an empty Stream.
func NewStream() *Stream {
	return &Stream{}
}

// Event takes the next event of the stream. It never asks for an event to be
// dropped.
func (s *Stream) Event(ev sse.Event) bool {
	if ev.Comment || len(ev.Data) == 0 {
		return false
	}

	// The last event of a stream cut short may stop inside its JSON, which
	// would read as whatever the cut left.
	if ev.Partial && !jsonview.Valid(ev.Data) {
		return false
	}

	// Parsing only looks at the first byte; fields are read on demand, so
	// text deltas, the most common events, cost nothing more.
	doc := jsonview.Parse(ev.Data)
	name := ev.Name
	if name == "" {
		name = jsonview.String(doc.Get("type"))
	}

	switch name {
	case "response.output_item.added", "response.output_item.done":
		item := doc.Get("item")
		if jsonview.String(item.Get("type")) != "function_call" {
			break
		}

		// A finished item holds the whole arguments, whatever deltas were
		// missed on the way.
		index := jsonview.Int(doc.Get("output_index"))
		args := item.Get("arguments")
		s.tools.Start(index, jsonview.String(item.Get("call_id")),
			jsonview.String(item.Get("name")), jsonview.String(args))
		if name == "response.output_item.done" {
			s.tools.Replace(index, args)
		}
	case "response.function_call_arguments.delta":
		s.tools.Append(jsonview.Int(doc.Get("output_index")), doc.Get("delta"))
	case "response.function_call_arguments.done":
		s.tools.Replace(jsonview.Int(doc.Get("output_index")), doc.Get("arguments"))
	case "response.reasoning_summary_text.delta":
		s.thoughts.Append(summaryKey(doc), doc.Get("delta"))
	case "response.reasoning_summary_text.done":
		s.thoughts.Replace(summaryKey(doc), doc.Get("text"))
	case "response.completed", "response.incomplete", "response.failed":
		s.finish(doc.Get("response"))
	case "error":
		// The error is the event itself or, in older streams, a member.
		e := doc
		if inner := doc.Get("error"); inner.IsObject() {
			e = inner
		}
		s.errType, s.errText = errorOf(e)
	}

	return false
}

// finish takes the response object of a terminal event: response.completed,
// response.incomplete or response.failed.
func (s *Stream) finish(resp gjson.Result) {
	s.terminal = true
	if usage := resp.Get("usage"); usage.IsObject() {
		s.usage, s.hasUsage = usageOf(usage), true
	}
	if e := resp.Get("error"); e.IsObject() {
		s.errType, s.errText = errorOf(e)
	}
}

// summaryKey returns the key of the summary part that a reasoning summary
// event is about.
func summaryKey(doc gjson.Result) int64 {
	return collect.Key(jsonview.Int(doc.Get("output_index")), jsonview.Int(doc.Get("summary_index")))
}

// Record returns what the events so far yield.
func (s *Stream) Record() intercept.Record {
	rec := intercept.Record{
		ToolCalls:    s.tools.List(),
		Thoughts:     s.thoughts.List(),
		Terminal:     s.terminal,
		ErrorType:    s.errType,
		ErrorMessage: s.errText,
	}
	if s.hasUsage {
		rec.Usages = []intercept.Usage{s.usage}
	}
	return rec
}
