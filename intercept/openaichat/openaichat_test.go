package openaichat_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/fixture"
	"github.com/aigateway/aigateway/intercept/openaichat"
	"github.com/aigateway/aigateway/sse"
)

func TestFixtures(t *testing.T) {
	t.Parallel()

	fixtures, err := fixture.LoadDir("testdata")
	require.NoError(t, err)

	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()

			req, err := openaichat.ParseRequest(f.Request)
			require.NoError(t, err)
			require.Equal(t, f.Want.Request, req)

			if !f.Streaming {
				rec, err := openaichat.ParseBlocking(f.Response)
				require.NoError(t, err)
				fixture.RequireRecord(t, f.Want.Record, rec)
				return
			}

			// The relay drops the usage chunk only when it asked for it.
			_, injected, err := openaichat.EnsureIncludeUsage(f.Request)
			require.NoError(t, err)
			opts := openaichat.StreamOptions{DropUsageOnly: injected}

			// Reading one byte at a time makes the scanner move its buffer
			// for every event, which shows any text kept without a copy.
			for _, size := range []int{len(f.Response), 1} {
				rec := fixture.RunStream(t, f, openaichat.NewStreamWithOptions(opts), size)
				fixture.RequireRecord(t, f.Want.Record, rec)
			}
		})
	}
}

func TestEnsureIncludeUsage(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name     string
		body     string
		want     string
		injected bool
	}{
		{
			name: "not streamed",
			body: `{"model":"gpt-4.1","messages":[]}`,
			want: `{"model":"gpt-4.1","messages":[]}`,
		},
		{
			name: "stream false",
			body: `{"model":"gpt-4.1","stream":false}`,
			want: `{"model":"gpt-4.1","stream":false}`,
		},
		{
			name: "already asked",
			body: `{"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true}}`,
			want: `{"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true}}`,
		},
		{
			name:     "no stream options",
			body:     `{"model":"gpt-4.1","stream":true,"n":1}`,
			want:     `{"model":"gpt-4.1","stream":true,"n":1,"stream_options":{"include_usage":true}}`,
			injected: true,
		},
		{
			name:     "include usage false",
			body:     `{"stream_options":{"include_usage":false},"model":"gpt-4.1","stream":true}`,
			want:     `{"stream_options":{"include_usage":true},"model":"gpt-4.1","stream":true}`,
			injected: true,
		},
		{
			name:     "other stream options kept",
			body:     "{\n  \"stream\": true,\n  \"stream_options\": {\"x\": 1}\n}",
			want:     "{\n  \"stream\": true,\n  \"stream_options\": {\"x\": 1,\"include_usage\":true}\n}",
			injected: true,
		},
		{
			name:     "null stream options",
			body:     `{"model":"gpt-4.1","stream":true,"stream_options":null,"n":1}`,
			want:     `{"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true},"n":1}`,
			injected: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got, injected, err := openaichat.EnsureIncludeUsage([]byte(tt.body))
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
			require.Equal(t, tt.injected, injected)
		})
	}

	_, _, err := openaichat.EnsureIncludeUsage([]byte(`{"stream":tru`))
	require.ErrorIs(t, err, intercept.ErrBadRequest)
}

func TestUsageOnly(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		data string
		want bool
	}{
		{
			name: "usage chunk", want: true,
			data: `{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}`,
		},
		{
			name: "usage without choices", want: true,
			data: `{"id":"c","usage":{"prompt_tokens":1}}`,
		},
		{name: "content chunk", data: `{"id":"c","choices":[{"index":0,"delta":{}}],"usage":null}`},
		{
			name: "usage with a choice",
			data: `{"choices":[{"index":0,"delta":{}}],"usage":{"prompt_tokens":1}}`,
		},
		{name: "done", data: `[DONE]`},
		{name: "error", data: `{"error":{"message":"x"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tt.want, openaichat.UsageOnly([]byte(tt.data)))

			// Stream.Event drops exactly these chunks when asked to.
			s := openaichat.NewStreamWithOptions(openaichat.StreamOptions{DropUsageOnly: true})
			require.Equal(t, tt.want, s.Event(sse.Event{Data: []byte(tt.data)}))
			require.False(t, openaichat.NewStream().Event(sse.Event{Data: []byte(tt.data)}))
		})
	}
}

func TestParseRequestErrors(t *testing.T) {
	t.Parallel()

	for _, body := range []string{`{"model":`, `"gpt-4.1"`, `{"messages":[]}`, `{"model":null}`} {
		_, err := openaichat.ParseRequest([]byte(body))
		require.ErrorIs(t, err, intercept.ErrBadRequest, body)
	}
}

func TestParseBlockingError(t *testing.T) {
	t.Parallel()

	body := `{"error":{"message":"Rate limit reached for gpt-4.1","type":"requests",` +
		`"param":null,"code":"rate_limit_exceeded"}}`
	rec, err := openaichat.ParseBlocking([]byte(body))
	require.NoError(t, err)
	require.Equal(t, intercept.Record{
		Terminal:     true,
		ErrorType:    "requests",
		ErrorMessage: "Rate limit reached for gpt-4.1",
	}, rec)

	// A server that sends only a code has it recorded as the type.
	rec, err = openaichat.ParseBlocking([]byte(`{"error":{"message":"m","code":429}}`))
	require.NoError(t, err)
	require.Equal(t, "429", rec.ErrorType)

	_, err = openaichat.ParseBlocking([]byte(`[]`))
	require.ErrorIs(t, err, intercept.ErrBadResponse)
}

func TestErrorEvent(t *testing.T) {
	t.Parallel()

	raw := openaichat.ErrorEvent("upstream timed out")
	require.Equal(t, `data: {"error":{"message":"upstream timed out","type":"server_error",`+
		`"param":null,"code":null}}`+"\n\n", string(raw))

	rec := fixture.RunStream(t, fixture.Fixture{Response: raw, Client: raw},
		openaichat.NewStream(), len(raw))
	require.Equal(t, "server_error", rec.ErrorType)
	require.Equal(t, "upstream timed out", rec.ErrorMessage)
}
