package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// DefaultMaxEventSize is the largest event, in raw bytes, that a Scanner made
// by NewScanner accepts.
const DefaultMaxEventSize = 16 << 20

const (
	// initialBufferSize holds a typical chat stream's events without growing.
	initialBufferSize = 4 << 10

	// maxNames bounds the interned event names, so that a stream of
	// ever-new names cannot grow the table without limit.
	maxNames = 64

	// maxEmptyReads is how many reads in a row may return nothing before the
	// reader is taken to be broken.
	maxEmptyReads = 100
)

// ErrEventTooLarge is returned by Scanner.Next when an event is longer than
// the scanner's maximum event size.
var ErrEventTooLarge = errors.New("sse: event too large")

// Options configures a Scanner.
type Options struct {
	// MaxEventSize is the largest event, in raw bytes including its line
	// breaks, that the scanner accepts. Zero means DefaultMaxEventSize.
	MaxEventSize int
}

// Scanner reads a stream of server-sent events one block at a time. It reads
// no further than it must to complete the next event, so an event is handed
// out as soon as its blank line arrives, however the stream was split into
// reads. A Scanner is not safe for concurrent use.
type Scanner struct {
	r   io.Reader
	max int
	err error // the reader's error, returned once the buffer is drained
	buf []byte

	// buf[start:end] holds what was read and not handed out yet: the block
	// being scanned. Lines before pos are parsed; the line being scanned
	// starts at lineStart.
	start, end     int
	pos, lineStart int

	// skipLF is set when a line ended in a CR that was the last byte read,
	// so that an LF opening the next read completes that line break.
	skipLF bool

	block  block
	joined []byte
	names  map[string]string
}

// block is what the scanner has learnt of the block being scanned. Offsets
// are relative to the block's start, so that they survive moving the buffer.
type block struct {
	lines    int // lines that are not blank
	comments int
	name     span
	hasName  bool
	data     []span
}

// span is the position of a field value within a block.
type span struct{ from, to int }

// NewScanner returns a Scanner reading from r that accepts events of up to
// DefaultMaxEventSize bytes.
func NewScanner(r io.Reader) *Scanner {
	return NewScannerWithOptions(r, Options{})
}

// NewScannerWithOptions returns a Scanner reading from r, configured by opts.
func NewScannerWithOptions(r io.Reader, opts Options) *Scanner {
	maxSize := opts.MaxEventSize
	if maxSize <= 0 {
		maxSize = DefaultMaxEventSize
	}

	var buf []byte
	if pooled, ok := bufferPool.Get().(*[]byte); ok && len(*pooled) <= maxSize {
		buf = *pooled
	} else {
		buf = make([]byte, min(initialBufferSize, maxSize))
	}
	return &Scanner{
		r:     r,
		max:   maxSize,
		buf:   buf,
		names: make(map[string]string),
	}
}

// bufferPool keeps the initial buffers of released scanners: a relay
// scans one stream per request, and the buffer is most of its cost.
var bufferPool sync.Pool

// Release gives the scanner's buffer back for another scanner to use. The
// scanner, and every Event it returned, must not be used afterwards.
func (s *Scanner) Release() {
	if len(s.buf) == initialBufferSize {
		buf := s.buf
		bufferPool.Put(&buf)
	}
	s.buf = nil
}

// Next returns the next block of the stream. Blank lines that precede a block
// are part of its Raw bytes, so that nothing read is ever left out.
//
// When the stream ends, Next returns what is left as a last event, with
// Partial set when it holds a line that no blank line ended, and then
// io.EOF. A read error other than io.EOF is returned, wrapped, in the same
// way after the last event. Next returns ErrEventTooLarge when a block grows
// past the maximum event size; the scanner cannot go on after that.
func (s *Scanner) Next() (Event, error) {
	emptyReads := 0

	for {
		if ev, ok := s.scan(); ok {
			return ev, nil
		}

		if s.err != nil {
			return s.drain()
		}

		if err := s.makeRoom(); err != nil {
			return Event{}, err
		}

		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		s.err = err

		// A reader that keeps returning nothing and no error would otherwise
		// hold the caller in this loop for ever.
		if n > 0 || err != nil {
			emptyReads = 0
			continue
		}
		emptyReads++
		if emptyReads >= maxEmptyReads {
			s.err = io.ErrNoProgress
		}
	}
}

// scan parses the lines read but not parsed yet, and returns the block they
// complete, if they complete one.
func (s *Scanner) scan() (Event, bool) {
	for s.pos < s.end {
		if s.skipLF {
			s.skipLF = false
			if s.buf[s.pos] == '\n' {
				s.pos++
				s.lineStart = s.pos
				continue
			}
		}

		rest := s.buf[s.pos:s.end]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			i = len(rest)
		}
		if j := bytes.IndexByte(rest[:i], '\r'); j >= 0 {
			i = j
		}
		if i == len(rest) {
			s.pos = s.end
			return Event{}, false
		}

		lineEnd := s.pos + i
		s.pos = lineEnd + 1
		if s.buf[lineEnd] == '\r' {
			// Take the LF of a CRLF pair now if it is here, so that it
			// stays with its block; otherwise let the next read settle it.
			if s.pos < s.end {
				if s.buf[s.pos] == '\n' {
					s.pos++
				}
			} else {
				s.skipLF = true
			}
		}

		blank := lineEnd == s.lineStart
		s.parseLine(s.lineStart-s.start, lineEnd-s.start)
		s.lineStart = s.pos

		if blank && s.block.lines > 0 {
			return s.emit(false), true
		}
	}

	return Event{}, false
}

// parseLine records what the line at buf[start+from:start+to] says about the
// block being scanned.
func (s *Scanner) parseLine(from, to int) {
	line := s.buf[s.start+from : s.start+to]
	if len(line) == 0 {
		return
	}

	s.block.lines++
	if line[0] == ':' {
		s.block.comments++
		return
	}

	field, value := line, span{to, to}
	if c := bytes.IndexByte(line, ':'); c >= 0 {
		field = line[:c]
		value.from = from + c + 1
		if c+1 < len(line) && line[c+1] == ' ' {
			value.from++
		}
	}

	switch string(field) {
	case "data":
		s.block.data = append(s.block.data, value)
	case "event":
		s.block.name = value
		s.block.hasName = true
	}
}

// emit hands out buf[start:pos] as an event and starts the next block there.
func (s *Scanner) emit(partial bool) Event {
	raw := s.buf[s.start:s.pos:s.pos]
	ev := Event{
		Raw:     raw,
		Comment: s.block.lines > 0 && s.block.lines == s.block.comments,
		Partial: partial,
	}

	if s.block.hasName {
		ev.Name = s.intern(raw[s.block.name.from:s.block.name.to])
	}

	switch len(s.block.data) {
	case 0:
	case 1:
		d := s.block.data[0]
		ev.Data = raw[d.from:d.to:d.to]
	default:
		// Joining needs a copy; the buffer is kept for the next event.
		s.joined = s.joined[:0]
		for i, d := range s.block.data {
			if i > 0 {
				s.joined = append(s.joined, '\n')
			}
			s.joined = append(s.joined, raw[d.from:d.to]...)
		}
		ev.Data = s.joined
	}

	s.start = s.pos
	s.lineStart = s.pos
	s.block.lines, s.block.comments = 0, 0
	s.block.hasName = false
	s.block.data = s.block.data[:0]

	return ev
}

// intern returns name as a string, allocating only the first time a name
// is seen.
func (s *Scanner) intern(name []byte) string {
	if v, ok := s.names[string(name)]; ok {
		return v
	}

	v := string(name)
	if len(s.names) < maxNames {
		s.names[v] = v
	}
	return v
}

// drain hands out what is left once the reader has failed or ended, then
// the reader's error.
func (s *Scanner) drain() (Event, error) {
	if s.end == s.start {
		if errors.Is(s.err, io.EOF) {
			return Event{}, io.EOF
		}
		return Event{}, fmt.Errorf("sse: read: %w", s.err)
	}

	// An unfinished last line still says something about the block.
	if s.lineStart < s.end {
		s.parseLine(s.lineStart-s.start, s.end-s.start)
	}
	s.pos = s.end
	s.skipLF = false

	return s.emit(s.block.lines > 0), nil
}

// makeRoom makes space after buf[end] for the next read, moving the block
// being scanned to the front of the buffer or growing the buffer.
func (s *Scanner) makeRoom() error {
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.end = n
		s.pos -= s.start
		s.lineStart -= s.start
		s.start = 0
	}

	if s.end < len(s.buf) {
		return nil
	}
	if len(s.buf) >= s.max {
		return fmt.Errorf("%w: over %d bytes", ErrEventTooLarge, s.max)
	}

	grown := make([]byte, min(2*len(s.buf), s.max))
	copy(grown, s.buf[:s.end])
	s.buf = grown
	return nil
}
