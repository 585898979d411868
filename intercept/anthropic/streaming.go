package anthropic

import (
	"bytes"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/collect"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
	"github.com/aigateway/aigateway/sse"
)

// Stream builds a Record from the events of a Messages response stream.
type Stream struct {
	usage    intercept.Usage
	hasUsage bool
	rawUsage []byte // message_start's usage, updated by message_delta's

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

	doc := jsonview.Parse(ev.Data)
	name := ev.Name
	if name == "" {
		name = jsonview.String(doc.Get("type"))
	}

	switch name {
	case "content_block_delta":
		s.delta(doc)
	case "content_block_start":
		block := doc.Get("content_block")
		if jsonview.String(block.Get("type")) == "tool_use" {
			s.tools.Start(
				jsonview.Int(doc.Get("index")),
				jsonview.String(block.Get("id")),
				jsonview.String(block.Get("name")),
				jsonview.Compact(block.Get("input").Raw),
			)
		}
	case "message_start":
		s.updateUsage(doc.Get("message.usage"))
	case "message_delta":
		s.updateUsage(doc.Get("usage"))
	case "message_stop":
		s.terminal = true
	case "error":
		errType, msg := errorOf(doc.Get("error"))
		s.errType, s.errText = strings.Clone(errType), strings.Clone(msg)
	}

	return false
}

// delta takes a content_block_delta event. Text deltas, the most common,
// need nothing.
func (s *Stream) delta(doc gjson.Result) {
	delta := doc.Get("delta")

	switch jsonview.String(delta.Get("type")) {
	case "input_json_delta":
		index := jsonview.Int(doc.Get("index"))
		s.tools.Append(index, delta.Get("partial_json"))
	case "thinking_delta":
		index := jsonview.Int(doc.Get("index"))
		s.thoughts.Append(index, delta.Get("thinking"))
	}
}

// updateUsage merges a usage object into the usage seen so far: the latest
// value of each field wins.
func (s *Stream) updateUsage(obj gjson.Result) {
	if !obj.IsObject() {
		return
	}

	applyUsage(&s.usage, obj)
	s.hasUsage = true
	if s.rawUsage == nil {
		s.rawUsage = []byte(obj.Raw)
		return
	}
	s.rawUsage = mergeObjects(s.rawUsage, obj)
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
		u := s.usage
		u.Raw = bytes.Clone(s.rawUsage)
		rec.Usages = []intercept.Usage{u}
	}
	return rec
}

// mergeObjects returns the JSON object base with the members of over laid on
// it: a member of over replaces base's member of the same name, keeping its
// place, unless it is null; members new to base follow at the end.
func mergeObjects(base []byte, over gjson.Result) []byte {
	type member struct {
		name, key, value string // key is the name as JSON text
		used             bool
	}

	// Usage objects have few members; most merges need no heap.
	members := make([]member, 0, 16)
	over.ForEach(func(k, v gjson.Result) bool {
		if v.Type != gjson.Null {
			members = append(members, member{name: k.Str, key: k.Raw, value: v.Raw})
		}
		return true
	})

	out := make([]byte, 1, len(base)+len(over.Raw))
	out[0] = '{'
	add := func(key, value string) {
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, key...)
		out = append(out, ':')
		out = append(out, value...)
	}

	jsonview.Parse(base).ForEach(func(k, v gjson.Result) bool {
		value := v.Raw
		for i := range members {
			if members[i].name == k.Str {
				value, members[i].used = members[i].value, true
			}
		}
		add(k.Raw, value)
		return true
	})

	for _, m := range members {
		if !m.used {
			add(m.key, m.value)
		}
	}
	return append(out, '}')
}
