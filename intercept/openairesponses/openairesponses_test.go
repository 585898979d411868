package openairesponses_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/fixture"
	"github.com/aigateway/aigateway/intercept/openairesponses"
	"github.com/aigateway/aigateway/sse"
)

func TestFixtures(t *testing.T) {
	t.Parallel()

	fixtures, err := fixture.LoadDir("testdata")
	require.NoError(t, err)

	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()

			req, err := openairesponses.ParseRequest(f.Request)
			require.NoError(t, err)
			require.Equal(t, f.Want.Request, req)

			if !f.Streaming {
				rec, err := openairesponses.ParseBlocking(f.Response)
				require.NoError(t, err)
				fixture.RequireRecord(t, f.Want.Record, rec)
				return
			}

			// Reading one byte at a time makes the scanner move its buffer
			// for every event, which shows any text kept without a copy.
			for _, size := range []int{len(f.Response), 1} {
				rec := fixture.RunStream(t, f, openairesponses.NewStream(), size)
				fixture.RequireRecord(t, f.Want.Record, rec)
			}
		})
	}
}

func TestParseRequest(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		body string
		want intercept.Request
	}{
		{
			name: "no input",
			body: `{"model":"gpt-4.1","previous_response_id":"resp_1"}`,
			want: intercept.Request{Model: "gpt-4.1"},
		},
		{
			name: "last user message only returns a tool output",
			body: `{"model":"gpt-4.1","stream":true,"input":[` +
				`{"role":"user","content":"Weather?"},` +
				`{"type":"function_call_output","call_id":"c","output":"7"}]}`,
			want: intercept.Request{Model: "gpt-4.1", Stream: true, Prompt: "Weather?"},
		},
		{
			name: "image and text parts",
			body: `{"model":"gpt-4.1","input":[{"role":"user","content":[` +
				`{"type":"input_text","text":"What is this?"},` +
				`{"type":"input_image","image_url":"https://example.com/a.png"}]}]}`,
			want: intercept.Request{Model: "gpt-4.1", Prompt: "What is this?"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got, err := openairesponses.ParseRequest([]byte(tt.body))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}

	for _, body := range []string{`{"input":"hi"}`, `{"model":`, `[]`} {
		_, err := openairesponses.ParseRequest([]byte(body))
		require.ErrorIs(t, err, intercept.ErrBadRequest, body)
	}
}

func TestStreamNestedErrorEvent(t *testing.T) {
	t.Parallel()

	s := openairesponses.NewStream()
	data := `{"type":"error","sequence_number":2,"error":{"type":"invalid_request_error",` +
		`"code":"context_length_exceeded","message":"Input too long.","param":"input"}}`
	s.Event(sse.Event{Name: "error", Data: []byte(data)})

	rec := s.Record()
	require.Equal(t, "context_length_exceeded", rec.ErrorType)
	require.Equal(t, "Input too long.", rec.ErrorMessage)
	require.False(t, rec.Terminal)
}

func TestStreamWithoutEventNames(t *testing.T) {
	t.Parallel()

	// Some relays pass the data lines on without the event lines; the type
	// member says the same.
	s := openairesponses.NewStream()
	s.Event(sse.Event{Data: []byte(`{"type":"response.completed","response":` +
		`{"status":"completed","usage":{"input_tokens":5,"output_tokens":2}}}`)})

	rec := s.Record()
	require.True(t, rec.Terminal)
	require.Len(t, rec.Usages, 1)
	require.Equal(t, int64(5), rec.Usages[0].Input)
}

func TestParseBlockingError(t *testing.T) {
	t.Parallel()

	body := `{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error",` +
		`"param":null,"code":"invalid_api_key"}}`
	rec, err := openairesponses.ParseBlocking([]byte(body))
	require.NoError(t, err)
	require.Equal(t, intercept.Record{
		Terminal:     true,
		ErrorType:    "invalid_api_key",
		ErrorMessage: "Incorrect API key provided.",
	}, rec)

	_, err = openairesponses.ParseBlocking([]byte(`nope`))
	require.ErrorIs(t, err, intercept.ErrBadResponse)
}

func TestErrorEvent(t *testing.T) {
	t.Parallel()

	raw := openairesponses.ErrorEvent("upstream timed out")
	require.Equal(t, "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\","+
		"\"message\":\"upstream timed out\",\"param\":null}\n\n", string(raw))

	rec := fixture.RunStream(t, fixture.Fixture{Response: raw, Client: raw},
		openairesponses.NewStream(), len(raw))
	require.Equal(t, "server_error", rec.ErrorType)
	require.Equal(t, "upstream timed out", rec.ErrorMessage)
}

func TestStreamFinishedItemHasWholeArguments(t *testing.T) {
	t.Parallel()

	// A delta went missing; the finished item still says what the call was.
	s := openairesponses.NewStream()
	for _, ev := range []sse.Event{
		{Name: "response.output_item.added", Data: []byte(`{"output_index":0,"item":` +
			`{"id":"fc_1","type":"function_call","arguments":"","call_id":"call_1","name":"f"}}`)},
		{Name: "response.function_call_arguments.delta", Data: []byte(
			`{"item_id":"fc_1","output_index":0,"delta":"{\"a\""}`)},
		{Name: "response.output_item.done", Data: []byte(`{"output_index":0,"item":` +
			`{"id":"fc_1","type":"function_call","arguments":"{\"a\":1}","call_id":"call_1",` +
			`"name":"f"}}`)},
	} {
		s.Event(ev)
	}

	require.Equal(t, []intercept.ToolCall{{ID: "call_1", Name: "f", Input: `{"a":1}`}},
		s.Record().ToolCalls)
}
