package sse_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/sse"
)

// want is an expected event, with Data as a string and "<nil>" for no data.
type want struct {
	raw, name, data  string
	comment, partial bool
}

const noData = "<nil>"

func TestScannerNext(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		input string
		want  []want
	}{
		{
			name:  "lf",
			input: "event: a\ndata: x\n\ndata: y\n\n",
			want: []want{
				{raw: "event: a\ndata: x\n\n", name: "a", data: "x"},
				{raw: "data: y\n\n", data: "y"},
			},
		},
		{
			name:  "crlf",
			input: "event: a\r\ndata: x\r\n\r\ndata: y\r\n\r\n",
			want: []want{
				{raw: "event: a\r\ndata: x\r\n\r\n", name: "a", data: "x"},
				{raw: "data: y\r\n\r\n", data: "y"},
			},
		},
		{
			name:  "cr",
			input: "event: a\rdata: x\r\rdata: y\r\r",
			want: []want{
				{raw: "event: a\rdata: x\r\r", name: "a", data: "x"},
				{raw: "data: y\r\r", data: "y"},
			},
		},
		{
			name:  "mixed line endings",
			input: "event: a\r\ndata: x\rdata: z\n\r\ndata: y\n\r",
			want: []want{
				{raw: "event: a\r\ndata: x\rdata: z\n\r\n", name: "a", data: "x\nz"},
				{raw: "data: y\n\r", data: "y"},
			},
		},
		{
			name:  "multi-line data",
			input: "data: {\ndata:  \"a\": 1\ndata:\ndata: }\n\n",
			want: []want{
				{raw: "data: {\ndata:  \"a\": 1\ndata:\ndata: }\n\n", data: "{\n \"a\": 1\n\n}"},
			},
		},
		{
			name:  "comment block",
			input: ": keep-alive\n\ndata: x\n\n",
			want: []want{
				{raw: ": keep-alive\n\n", data: noData, comment: true},
				{raw: "data: x\n\n", data: "x"},
			},
		},
		{
			name:  "comment inside an event",
			input: ": note\ndata: x\n\n",
			want:  []want{{raw: ": note\ndata: x\n\n", data: "x"}},
		},
		{
			name:  "data-less block",
			input: "event: ping\n\nid: 7\nretry: 10\n\n",
			want: []want{
				{raw: "event: ping\n\n", name: "ping", data: noData},
				{raw: "id: 7\nretry: 10\n\n", data: noData},
			},
		},
		{
			name:  "empty data field",
			input: "data\n\ndata:\n\n",
			want: []want{
				{raw: "data\n\n", data: ""},
				{raw: "data:\n\n", data: ""},
			},
		},
		{
			name:  "value without leading space",
			input: "event:a\ndata:x  \n\n",
			want:  []want{{raw: "event:a\ndata:x  \n\n", name: "a", data: "x  "}},
		},
		{
			name:  "last event field wins",
			input: "event: a\nevent: b\ndata: x\n\n",
			want:  []want{{raw: "event: a\nevent: b\ndata: x\n\n", name: "b", data: "x"}},
		},
		{
			name:  "blank lines before an event",
			input: "\n\r\n\rdata: x\n\n",
			want:  []want{{raw: "\n\r\n\rdata: x\n\n", data: "x"}},
		},
		{
			name:  "trailing blank lines",
			input: "data: x\n\n\n\n",
			want: []want{
				{raw: "data: x\n\n", data: "x"},
				{raw: "\n\n", data: noData},
			},
		},
		{
			name:  "partial at eof after a line break",
			input: "data: x\n\nevent: e\ndata: y\n",
			want: []want{
				{raw: "data: x\n\n", data: "x"},
				{raw: "event: e\ndata: y\n", name: "e", data: "y", partial: true},
			},
		},
		{
			name:  "partial at eof mid-line",
			input: "data: x\n\ndata: {\"a\":",
			want: []want{
				{raw: "data: x\n\n", data: "x"},
				{raw: "data: {\"a\":", data: "{\"a\":", partial: true},
			},
		},
		{
			name:  "empty stream",
			input: "",
		},
		{
			name:  "unknown field",
			input: "foo: bar\n\n",
			want:  []want{{raw: "foo: bar\n\n", data: noData}},
		},
	}

	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{name: "whole", wrap: func(r io.Reader) io.Reader { return r }},
		{name: "one byte", wrap: iotest.OneByteReader},
		{name: "half", wrap: iotest.HalfReader},
		{name: "three bytes", wrap: func(r io.Reader) io.Reader { return &chunkReader{r: r, n: 3} }},
		{name: "data with eof", wrap: iotest.DataErrReader},
	}

	for _, tt := range tests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				t.Parallel()

				sc := sse.NewScanner(rd.wrap(strings.NewReader(tt.input)))
				got, raw := collect(t, sc)
				require.Equal(t, tt.input, raw, "raw bytes must reproduce the stream")
				if rd.name == "whole" {
					require.Equal(t, tt.want, got)
					return
				}

				// A read that splits a CRLF pair after an event's last CR
				// moves the LF to the next block, so only the fields of the
				// events are compared.
				require.Equal(t, fieldsOnly(tt.want), fieldsOnly(got))
			})
		}
	}
}

// collect reads sc to its end, and returns its events and their raw bytes
// concatenated.
func collect(t *testing.T, sc *sse.Scanner) ([]want, string) {
	t.Helper()

	var got []want
	var raw strings.Builder
	for {
		ev, err := sc.Next()
		if errors.Is(err, io.EOF) {
			return got, raw.String()
		}
		require.NoError(t, err)

		raw.Write(ev.Raw)
		w := want{
			raw:     string(ev.Raw),
			name:    ev.Name,
			data:    string(ev.Data),
			comment: ev.Comment,
			partial: ev.Partial,
		}
		if ev.Data == nil {
			w.data = noData
		}
		got = append(got, w)
	}
}

// fieldsOnly returns the events that are not mere line breaks, without
// their raw bytes.
func fieldsOnly(events []want) []want {
	var out []want
	for _, ev := range events {
		if strings.Trim(ev.raw, "\r\n") == "" {
			continue
		}
		ev.raw = ""
		out = append(out, ev)
	}
	return out
}

func TestScannerEventTooLarge(t *testing.T) {
	t.Parallel()

	small := "data: " + strings.Repeat("x", 50) + "\n\n"
	big := "data: " + strings.Repeat("y", 200) + "\n\n"
	sc := sse.NewScannerWithOptions(strings.NewReader(small+big), sse.Options{MaxEventSize: 100})

	ev, err := sc.Next()
	require.NoError(t, err)
	require.Equal(t, small, string(ev.Raw))

	_, err = sc.Next()
	require.ErrorIs(t, err, sse.ErrEventTooLarge)
}

func TestScannerEventAtMaxSize(t *testing.T) {
	t.Parallel()

	ev := "data: " + strings.Repeat("x", 92) + "\n\n"
	require.Len(t, ev, 100)
	sc := sse.NewScannerWithOptions(
		iotest.OneByteReader(strings.NewReader(ev+ev)),
		sse.Options{MaxEventSize: 100},
	)

	for range 2 {
		got, err := sc.Next()
		require.NoError(t, err)
		require.Equal(t, ev, string(got.Raw))
	}
	_, err := sc.Next()
	require.ErrorIs(t, err, io.EOF)
}

func TestScannerReadError(t *testing.T) {
	t.Parallel()

	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("data: a\n\ndata: b"), iotest.ErrReader(boom))
	sc := sse.NewScanner(r)

	ev, err := sc.Next()
	require.NoError(t, err)
	require.Equal(t, "a", string(ev.Data))

	ev, err = sc.Next()
	require.NoError(t, err)
	require.True(t, ev.Partial)
	require.Equal(t, "data: b", string(ev.Raw))

	_, err = sc.Next()
	require.ErrorIs(t, err, boom)
}

func TestScannerNoProgress(t *testing.T) {
	t.Parallel()

	sc := sse.NewScanner(emptyReader{})
	_, err := sc.Next()
	require.ErrorIs(t, err, io.ErrNoProgress)
}

func TestScannerCRLFSplitAcrossReads(t *testing.T) {
	t.Parallel()

	// The event is handed out on its CR; the LF that arrives later opens the
	// next block's raw bytes so that nothing is lost or delayed.
	pr, pw := io.Pipe()
	sc := sse.NewScanner(pr)
	go func() {
		_, _ = pw.Write([]byte("data: a\r\n\r"))
		_, _ = pw.Write([]byte("\ndata: b\r\n\r\n"))
		_ = pw.Close()
	}()

	got, raw := collect(t, sc)
	require.Equal(t, []want{
		{raw: "data: a\r\n\r", data: "a"},
		{raw: "\ndata: b\r\n\r\n", data: "b"},
	}, got)
	require.Equal(t, "data: a\r\n\r\ndata: b\r\n\r\n", raw)
}

func TestScannerLongEvents(t *testing.T) {
	t.Parallel()

	// Events larger than the initial buffer make it grow and move.
	var input bytes.Buffer
	var datas []string
	for i := range 20 {
		d := strings.Repeat(string(rune('a'+i)), 1000*i)
		datas = append(datas, d)
		input.Write(sse.AppendEvent(nil, "e", []byte(d)))
	}

	sc := sse.NewScanner(&chunkReader{r: bytes.NewReader(input.Bytes()), n: 777})
	got, raw := collect(t, sc)
	require.Equal(t, input.String(), raw)
	require.Len(t, got, len(datas))
	for i, d := range datas {
		require.Equal(t, d, got[i].data)
	}
}

// chunkReader returns at most n bytes a read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	return c.r.Read(p[:min(len(p), c.n)])
}

// emptyReader returns nothing and no error, for ever.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestReleaseReusesBuffer(t *testing.T) {
	t.Parallel()

	stream := "data: one\n\ndata: two\n\n"
	for range 3 {
		sc := sse.NewScanner(strings.NewReader(stream))
		var got []string
		for {
			ev, err := sc.Next()
			if len(ev.Data) > 0 {
				got = append(got, string(ev.Data))
			}
			if err != nil {
				require.ErrorIs(t, err, io.EOF)
				break
			}
		}
		sc.Release()
		require.Equal(t, []string{"one", "two"}, got)
	}
}
