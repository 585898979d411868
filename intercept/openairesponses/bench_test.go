package openairesponses_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aigateway/aigateway/intercept/openairesponses"
	"github.com/aigateway/aigateway/sse"
)

// benchStream returns the events of a realistic agent turn: a two-part
// reasoning summary, a sentence of 40 text deltas, then a function call
// whose arguments arrive in 12 fragments.
func benchStream() []sse.Event {
	var events []sse.Event
	seq := 0
	add := func(name, fields string) {
		data := fmt.Sprintf(`{"type":%q,"sequence_number":%d,%s}`, name, seq, fields)
		seq++
		events = append(events, sse.Event{
			Raw:  []byte("event: " + name + "\ndata: " + data + "\n\n"),
			Name: name,
			Data: []byte(data),
		})
	}
	const resp = `"response":{"id":"resp_Bench","object":"response","created_at":1764835500,` +
		`"status":"in_progress","error":null,"model":"gpt-5-2025-08-07","output":[],"usage":null}`

	add("response.created", resp)
	add("response.in_progress", resp)
	add("response.output_item.added",
		`"output_index":0,"item":{"id":"rs_B","type":"reasoning","summary":[]}`)
	for si := range 2 {
		for i := range 6 {
			add("response.reasoning_summary_text.delta", fmt.Sprintf(`"item_id":"rs_B",`+
				`"output_index":0,"summary_index":%d,"delta":"step %d, ","obfuscation":"x1"`, si, i))
		}
	}
	add("response.output_item.added", `"output_index":1,"item":{"id":"msg_B","type":"message",`+
		`"status":"in_progress","content":[],"role":"assistant"}`)
	for i := range 40 {
		add("response.output_text.delta", fmt.Sprintf(`"item_id":"msg_B","output_index":1,`+
			`"content_index":0,"delta":"word %d of the answer, ","logprobs":[],"obfuscation":"x2"`, i))
	}
	add("response.output_item.added", `"output_index":2,"item":{"id":"fc_B","type":"function_call",`+
		`"status":"in_progress","arguments":"","call_id":"call_B","name":"edit_file"}`)
	for i := range 12 {
		add("response.function_call_arguments.delta", fmt.Sprintf(`"item_id":"fc_B",`+
			`"output_index":2,"delta":"%s","obfuscation":"x3"`, strings.Repeat(`\"x\"`, i)))
	}
	add("response.completed", strings.Replace(resp, `"usage":null`, `"usage":{"input_tokens":20310,`+
		`"input_tokens_details":{"cached_tokens":18000},"output_tokens":230,`+
		`"output_tokens_details":{"reasoning_tokens":64},"total_tokens":20540}`, 1))
	return events
}

func BenchmarkStream(b *testing.B) {
	events := benchStream()
	b.ReportAllocs()

	for b.Loop() {
		s := openairesponses.NewStream()
		for _, ev := range events {
			s.Event(ev)
		}
		rec := s.Record()
		if !rec.Terminal || len(rec.ToolCalls) != 1 || len(rec.Thoughts) != 2 {
			b.Fatalf("unexpected record %+v", rec)
		}
	}
}
