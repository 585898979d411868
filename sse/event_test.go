package sse_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/sse"
)

func TestAppendEvent(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name      string
		eventName string
		data      string
		want      string
	}{
		{name: "named", eventName: "error", data: `{"a":1}`, want: "event: error\ndata: {\"a\":1}\n\n"},
		{name: "unnamed", data: "x", want: "data: x\n\n"},
		{name: "empty data", eventName: "ping", want: "event: ping\ndata:\n\n"},
		{name: "lf", data: "a\nb", want: "data: a\ndata: b\n\n"},
		{name: "crlf and cr", data: "a\r\nb\rc\n", want: "data: a\ndata: b\ndata: c\ndata:\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got := sse.AppendEvent([]byte("prefix|"), tt.eventName, []byte(tt.data))
			require.Equal(t, "prefix|"+tt.want, string(got))

			// What AppendEvent writes reads back as the same event, with
			// every line break as an LF.
			ev, err := sse.NewScanner(bytes.NewReader(got[len("prefix|"):])).Next()
			require.NoError(t, err)
			require.Equal(t, tt.eventName, ev.Name)
			norm := bytes.ReplaceAll([]byte(tt.data), []byte("\r\n"), []byte("\n"))
			norm = bytes.ReplaceAll(norm, []byte("\r"), []byte("\n"))
			require.Equal(t, string(norm), string(ev.Data))
		})
	}
}

func TestAppendEventNameWithLineBreak(t *testing.T) {
	t.Parallel()

	require.Panics(t, func() { sse.AppendEvent(nil, "a\nb", nil) })
}
