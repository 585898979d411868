package fakellm

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRender renders every body and stream of every API, with and without
// a tool, and checks that each is valid JSON and that the sequence numbers
// of Responses events count up from zero.
func TestRender(t *testing.T) {
	t.Parallel()
	apis := map[string]*api{"chat": &chatAPI, "responses": &responsesAPI, "messages": &messagesAPI}
	for name, a := range apis {
		for _, tool := range []string{"", `"search"`} {
			t.Run(name+"/tool="+tool, func(t *testing.T) {
				t.Parallel()
				ans := answer{
					id: []byte("fakellm7"), model: `"m"`, tool: tool,
					usage: true, chunks: 3,
				}

				body := a.blockingText
				if tool != "" {
					body = a.blockingTool
				}
				require.True(t, json.Valid(body.render(nil, &ans)), "blocking body")

				out := a.head.render(nil, &ans)
				for i := range ans.chunks {
					ans.word = i
					out = a.delta.render(out, &ans)
				}
				out = a.tail(out, &ans)
				out = a.errorEvent.render(out, &ans)
				checkEvents(t, out, name == "responses")
			})
		}
	}
}

// checkEvents checks that every data line of a stream is JSON or [DONE],
// and, when seq is set, that the sequence numbers count up from zero.
func checkEvents(t *testing.T, stream []byte, seq bool) {
	t.Helper()
	require.True(t, bytes.HasSuffix(stream, []byte("\n\n")), "events end with a blank line")
	next := 0
	for _, line := range bytes.Split(stream, []byte("\n")) {
		data, ok := bytes.CutPrefix(line, []byte("data: "))
		if !ok || string(data) == "[DONE]" {
			continue
		}
		require.True(t, json.Valid(data), "invalid JSON: %s", data)
		if seq {
			var ev struct {
				Seq *int `json:"sequence_number"`
			}
			require.NoError(t, json.Unmarshal(data, &ev))
			require.NotNil(t, ev.Seq, "no sequence number: %s", data)
			require.Equal(t, next, *ev.Seq)
			next++
		}
	}
}

func TestCompile(t *testing.T) {
	t.Parallel()
	ans := answer{id: []byte("x1"), model: `"m"`, chunks: 2}
	got := compile(`{"id":"a-{{id}}","model":{{model}},"n":{{out}}}`).render(nil, &ans)
	require.JSONEq(t, `{"id":"a-x1","model":"m","n":2}`, string(got))

	require.Panics(t, func() { compile(`{{nope}}`) })
	require.Panics(t, func() { compile(`{{id`) })
}
