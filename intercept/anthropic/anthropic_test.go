package anthropic_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/anthropic"
	"github.com/aigateway/aigateway/intercept/fixture"
	"github.com/aigateway/aigateway/sse"
)

func TestFixtures(t *testing.T) {
	t.Parallel()

	fixtures, err := fixture.LoadDir("testdata")
	require.NoError(t, err)

	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()

			req, err := anthropic.ParseRequest(f.Request)
			require.NoError(t, err)
			require.Equal(t, f.Want.Request, req)

			if !f.Streaming {
				rec, err := anthropic.ParseBlocking(f.Response)
				require.NoError(t, err)
				fixture.RequireRecord(t, f.Want.Record, rec)
				return
			}

			// Reading one byte at a time makes the scanner move its buffer
			// for every event, which shows any text kept without a copy.
			for _, size := range []int{len(f.Response), 1} {
				rec := fixture.RunStream(t, f, anthropic.NewStream(), size)
				fixture.RequireRecord(t, f.Want.Record, rec)
			}
		})
	}
}

func TestParseRequestErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		body string
	}{
		{name: "not json", body: `{"model":`},
		{name: "not an object", body: `["claude"]`},
		{name: "no model", body: `{"messages":[]}`},
		{name: "empty model", body: `{"model":""}`},
		{name: "model not a string", body: `{"model":4}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := anthropic.ParseRequest([]byte(tt.body))
			require.ErrorIs(t, err, intercept.ErrBadRequest)
		})
	}
}

func TestParseBlockingError(t *testing.T) {
	t.Parallel()

	body := `{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"},` +
		`"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`
	rec, err := anthropic.ParseBlocking([]byte(body))
	require.NoError(t, err)
	require.Equal(t, intercept.Record{
		Terminal:     true,
		ErrorType:    "rate_limit_error",
		ErrorMessage: "Slow down",
	}, rec)

	_, err = anthropic.ParseBlocking([]byte(`data: {}`))
	require.ErrorIs(t, err, intercept.ErrBadResponse)
}

func TestStreamUsageLatestWins(t *testing.T) {
	t.Parallel()

	s := anthropic.NewStream()
	s.Event(event("message_start", `{"type":"message_start","message":{"usage":`+
		`{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}}`))
	s.Event(event("message_delta", `{"type":"message_delta","usage":`+
		`{"output_tokens":20,"cache_read_input_tokens":null}}`))
	s.Event(event("message_delta", `{"type":"message_delta","usage":`+
		`{"output_tokens":30,"cache_creation_input_tokens":7}}`))

	rec := s.Record()
	require.Len(t, rec.Usages, 1)
	require.JSONEq(t,
		`{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":30,`+
			`"cache_creation_input_tokens":7}`,
		string(rec.Usages[0].Raw))
	rec.Usages[0].Raw = nil
	require.Equal(t, intercept.Usage{Input: 10, Output: 30, CacheRead: 5, CacheWrite: 7},
		rec.Usages[0])
	require.False(t, rec.Terminal)
}

func TestErrorEvent(t *testing.T) {
	t.Parallel()

	raw := anthropic.ErrorEvent(`upstream "timed" out`)
	require.Equal(t, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","+
		"\"message\":\"upstream \\\"timed\\\" out\"}}\n\n", string(raw))

	// The gateway's own error event reads back as an in-stream error.
	rec := fixture.RunStream(t, fixture.Fixture{Response: raw, Client: raw},
		anthropic.NewStream(), len(raw))
	require.Equal(t, "api_error", rec.ErrorType)
	require.Equal(t, `upstream "timed" out`, rec.ErrorMessage)
}

// event returns a named event carrying data.
func event(name, data string) sse.Event {
	return sse.Event{
		Raw:  []byte(fmt.Sprintf("event: %s\ndata: %s\n\n", name, data)),
		Name: name, Data: []byte(data),
	}
}
