// Package sse splits a server-sent event stream into events for a relay that
// must pass every byte through unchanged, and formats the events the gateway
// writes itself.
//
// A Scanner hands out each event twice over: as the exact bytes that carried
// it, terminating blank line included, for the relay to write and flush, and
// as parsed fields for the interceptors that record what the stream said.
// Field parsing follows the WHATWG HTML "server-sent events" section: lines
// end in LF, CRLF or CR, a line starting with a colon is a comment, and the
// data lines of one event are joined with LF.
package sse

import (
	"bytes"
	"strings"
)

// Event is one block of a stream: the lines up to and including the blank
// line that ends them. The slices are only valid until the next call to
// Scanner.Next, which reuses the memory behind them.
type Event struct {
	// Raw is the block exactly as it was read, terminating blank line
	// included. Writing every Raw in order reproduces the stream byte for
	// byte. When a read ends between the CR and the LF of the block's last
	// line break, the block is handed out at once and the LF opens the next
	// block's Raw, so that a stream is never held up waiting for it.
	Raw []byte

	// Name is the value of the block's last "event" field, or "" when it has
	// none (SSE clients treat that as "message").
	Name string

	// Data is the block's "data" field values joined with "\n", without a
	// trailing newline. It is nil when the block has no "data" field, and
	// empty but not nil when the field is present with no value.
	Data []byte

	// Comment is true when every line of the block is a comment, as in the
	// ": keep-alive" blocks some providers send while a model thinks.
	Comment bool

	// Partial is true for a final block that the stream ended before its
	// terminating blank line. Its fields are parsed all the same; SSE
	// clients discard such a block.
	Partial bool
}

// AppendEvent appends to dst an event named name (no "event" line when name
// is empty) whose data is data, and returns the extended slice. Each line of
// data becomes a "data" line, so any data round-trips through a Scanner.
// A name holding a line break would split the event and is a programming
// error: AppendEvent panics on it.
func AppendEvent(dst []byte, name string, data []byte) []byte {
	if strings.ContainsAny(name, "\r\n") {
		panic("sse: event name holds a line break")
	}

	if name != "" {
		dst = append(dst, "event: "...)
		dst = append(dst, name...)
		dst = append(dst, '\n')
	}

	for {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			dst = appendData(dst, data)
			break
		}
		dst = appendData(dst, data[:i])

		// A CRLF pair is one line break, not two.
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}

	return append(dst, '\n')
}

// appendData appends one data line holding line.
func appendData(dst, line []byte) []byte {
	if len(line) == 0 {
		return append(dst, "data:\n"...)
	}

	dst = append(dst, "data: "...)
	dst = append(dst, line...)
	return append(dst, '\n')
}
