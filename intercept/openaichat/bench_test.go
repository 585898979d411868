package openaichat_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aigateway/aigateway/intercept/openaichat"
	"github.com/aigateway/aigateway/sse"
)

// benchStream returns the chunks of a realistic agent turn: a sentence of
// 40 content deltas, then a tool call whose arguments arrive in 12
// fragments, the usage chunk and [DONE].
func benchStream() []sse.Event {
	const head = `{"id":"chatcmpl-Bench","object":"chat.completion.chunk","created":1764835200,` +
		`"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249",`
	var events []sse.Event
	add := func(data string) {
		events = append(events, sse.Event{Raw: []byte("data: " + data + "\n\n"), Data: []byte(data)})
	}
	choice := func(delta, finish string) string {
		return head + `"choices":[{"index":0,"delta":` + delta + `,"logprobs":null,` +
			`"finish_reason":` + finish + `}],"usage":null,"obfuscation":"aB3d"}`
	}

	add(choice(`{"role":"assistant","content":"","refusal":null}`, "null"))
	for i := range 40 {
		add(choice(fmt.Sprintf(`{"content":"word %d of the answer, "}`, i), "null"))
	}
	add(choice(`{"tool_calls":[{"index":0,"id":"call_Bench","type":"function",`+
		`"function":{"name":"edit_file","arguments":""}}]}`, "null"))
	for i := range 12 {
		add(choice(fmt.Sprintf(`{"tool_calls":[{"index":0,"function":{"arguments":"%s"}}]}`,
			strings.Repeat(`\"x\"`, i)), "null"))
	}
	add(choice(`{}`, `"tool_calls"`))
	add(head + `"choices":[],"usage":{"prompt_tokens":20310,"completion_tokens":230,` +
		`"total_tokens":20540,"prompt_tokens_details":{"cached_tokens":18000,"audio_tokens":0},` +
		`"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,` +
		`"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}`)
	add(`[DONE]`)
	return events
}

func BenchmarkStream(b *testing.B) {
	events := benchStream()
	opts := openaichat.StreamOptions{DropUsageOnly: true}
	b.ReportAllocs()

	for b.Loop() {
		s := openaichat.NewStreamWithOptions(opts)
		dropped := 0
		for _, ev := range events {
			if s.Event(ev) {
				dropped++
			}
		}
		if rec := s.Record(); !rec.Terminal || len(rec.ToolCalls) != 1 || dropped != 1 {
			b.Fatalf("unexpected record %+v", rec)
		}
	}
}
