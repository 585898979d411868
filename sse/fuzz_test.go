package sse_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/sse"
)

func FuzzScanner(f *testing.F) {
	for _, seed := range []string{
		"event: a\ndata: x\n\n",
		"data: a\r\ndata: b\r\n\r\n: keep-alive\r\r",
		"\n\n\rdata\r\nevent:\n\ndata: {\"a\":",
	} {
		f.Add([]byte(seed), uint8(1))
		f.Add([]byte(seed), uint8(7))
	}

	f.Fuzz(func(t *testing.T, input []byte, readSize uint8) {
		whole := scanAll(t, input, len(input)+1)
		split := scanAll(t, input, int(readSize%32)+1)

		// However the stream is read, the relayed bytes are the stream and
		// the fields are the same.
		require.Equal(t, string(input), whole.raw)
		require.Equal(t, string(input), split.raw)
		require.Equal(t, fieldsOnly(whole.events), fieldsOnly(split.events))
	})
}

// scanned is what a scanner made of a stream.
type scanned struct {
	events []want
	raw    string
}

// scanAll scans input, reading at most readSize bytes at a time.
func scanAll(t *testing.T, input []byte, readSize int) scanned {
	t.Helper()

	sc := sse.NewScanner(&chunkReader{r: bytes.NewReader(input), n: readSize})
	var out scanned
	var raw bytes.Buffer
	for {
		ev, err := sc.Next()
		if errors.Is(err, io.EOF) {
			out.raw = raw.String()
			return out
		}
		require.NoError(t, err)

		raw.Write(ev.Raw)
		w := want{name: ev.Name, data: string(ev.Data), comment: ev.Comment, partial: ev.Partial}
		if ev.Data == nil {
			w.data = noData
		}
		w.raw = string(ev.Raw)
		out.events = append(out.events, w)
	}
}
