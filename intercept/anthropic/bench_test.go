package anthropic_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aigateway/aigateway/intercept/anthropic"
	"github.com/aigateway/aigateway/sse"
)

// benchStream returns the events of a realistic agent turn: a sentence of
// 40 text deltas, then a tool call whose input arrives in 12 fragments.
func benchStream() []sse.Event {
	var events []sse.Event
	add := func(name, data string) { events = append(events, event(name, data)) }

	add("message_start", `{"type":"message_start","message":{"id":"msg_01Bench","type":"message",`+
		`"role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,`+
		`"stop_sequence":null,"usage":{"input_tokens":2310,"cache_creation_input_tokens":0,`+
		`"cache_read_input_tokens":18000,"output_tokens":1,"service_tier":"standard"}}}`)
	add("content_block_start", `{"type":"content_block_start","index":0,`+
		`"content_block":{"type":"text","text":""}}`)
	add("ping", `{"type": "ping"}`)
	for i := range 40 {
		add("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":0,`+
			`"delta":{"type":"text_delta","text":"word %d of the answer, "}}`, i))
	}
	add("content_block_stop", `{"type":"content_block_stop","index":0}`)
	add("content_block_start", `{"type":"content_block_start","index":1,"content_block":`+
		`{"type":"tool_use","id":"toolu_01Bench","name":"edit_file","input":{}}}`)
	for i := range 12 {
		add("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":1,`+
			`"delta":{"type":"input_json_delta","partial_json":"%s"}}`,
			strings.Repeat(`\"x\"`, i)))
	}
	add("content_block_stop", `{"type":"content_block_stop","index":1}`)
	add("message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use",`+
		`"stop_sequence":null},"usage":{"output_tokens":230}}`)
	add("message_stop", `{"type":"message_stop"}`)
	return events
}

func BenchmarkStream(b *testing.B) {
	events := benchStream()
	b.ReportAllocs()

	for b.Loop() {
		s := anthropic.NewStream()
		for _, ev := range events {
			s.Event(ev)
		}
		if rec := s.Record(); !rec.Terminal || len(rec.ToolCalls) != 1 {
			b.Fatalf("unexpected record %+v", rec)
		}
	}
}
