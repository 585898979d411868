package openaichat

import (
	"bytes"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/collect"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
	"github.com/aigateway/aigateway/sse"
)

// done is the data of the event that ends a stream.
var done = []byte("[DONE]")

// The keys that a chunk holds in its text when it holds them at all; a
// chunk without them needs no closer look.
var (
	errorKey     = []byte(`"error"`)
	toolCallsKey = []byte(`"tool_calls"`)
	reasoningKey = []byte(`"reasoning`)
)

// StreamOptions configures a Stream.
type StreamOptions struct {
	// DropUsageOnly makes Stream.Event ask the relay to drop the usage-only
	// chunk. Set it when EnsureIncludeUsage injected include_usage, so that
	// the client receives the stream it asked for. The default is false.
	DropUsageOnly bool
}

// Stream builds a Record from the chunks of a Chat Completions response
// stream.
type Stream struct {
	opts StreamOptions

	usage    intercept.Usage
	hasUsage bool

	tools    collect.ToolCalls
	thoughts collect.Texts

	terminal         bool
	errType, errText string
}

var _ intercept.Stream = (*Stream)(nil)

// NewStream returns an empty Stream that never asks to drop a chunk.
func NewStream() *Stream {
	return NewStreamWithOptions(StreamOptions{})
}

// NewStreamWithOptions returns an empty Stream configured by opts.
func NewStreamWithOptions(opts StreamOptions) *Stream {
	return &Stream{opts: opts}
}

// Event takes the next event of the stream. It asks for the usage-only chunk
// to be dropped when the stream was made with StreamOptions.DropUsageOnly.
func (s *Stream) Event(ev sse.Event) bool {
	if ev.Comment || len(ev.Data) == 0 {
		return false
	}
	if bytes.Equal(ev.Data, done) {
		s.terminal = true
		return false
	}

	// The last event of a stream cut short may stop inside its JSON, which
	// would read as whatever the cut left.
	if ev.Partial && !jsonview.Valid(ev.Data) {
		return false
	}

	doc := jsonview.Parse(ev.Data)
	if e := lookup(doc, ev.Data, errorKey); e.IsObject() {
		s.errType, s.errText = errorOf(e)
	}

	// Most chunks carry a content delta and nothing else to record, so the
	// choices are only walked when a key that matters is in the chunk.
	hasChoices := false
	if bytes.Contains(ev.Data, toolCallsKey) || bytes.Contains(ev.Data, reasoningKey) {
		hasChoices = s.choices(doc.Get("choices"))
	}

	usage := doc.Get("usage")
	if !usage.IsObject() {
		return false
	}
	s.usage, s.hasUsage = usageOf(usage), true

	return s.opts.DropUsageOnly && !hasChoices && !hasElements(doc.Get("choices"))
}

// choices takes the choices of a chunk and reports whether there were any.
func (s *Stream) choices(list gjson.Result) bool {
	seen := false
	jsonview.Each(list, func(_, choice gjson.Result) bool {
		seen = true
		index := jsonview.Int(choice.Get("index"))
		delta := choice.Get("delta")

		// Text deltas, the most common, carry neither of these. Only the
		// first fragment of a call carries its id and name.
		s.thoughts.Append(index, reasoningOf(delta))
		jsonview.Each(delta.Get("tool_calls"), func(_, call gjson.Result) bool {
			key := collect.Key(index, jsonview.Int(call.Get("index")))
			fn := call.Get("function")
			id, name := jsonview.String(call.Get("id")), jsonview.String(fn.Get("name"))
			if id != "" || name != "" {
				s.tools.Start(key, id, name, "")
			}
			s.tools.Append(key, fn.Get("arguments"))
			return true
		})
		return true
	})
	return seen
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

// UsageOnly reports whether data, a chunk of a stream, is the chunk that
// only carries usage: its "choices" is empty and its "usage" is an object.
func UsageOnly(data []byte) bool {
	doc := jsonview.Parse(data)
	if !doc.IsObject() || !doc.Get("usage").IsObject() {
		return false
	}

	return !hasElements(doc.Get("choices"))
}

// lookup returns the member key of the object doc, whose text is data,
// looking for it only when its key is in the text.
func lookup(doc gjson.Result, data, key []byte) gjson.Result {
	if !bytes.Contains(data, key) {
		return gjson.Result{}
	}
	return doc.Get(string(key[1 : len(key)-1]))
}

// hasElements reports whether r is an array or object with elements.
func hasElements(r gjson.Result) bool {
	has := false
	jsonview.Each(r, func(_, _ gjson.Result) bool {
		has = true
		return false
	})
	return has
}
