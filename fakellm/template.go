package fakellm

import (
	"strconv"
	"strings"
)

// A template is a response body or event rendered once at start: literal
// bytes with a few holes, filled per request by appending. Rendering never
// marshals JSON, so an answer costs a handful of appends.
type template []segment

// segment is a literal run of a template, or one of its holes.
type segment struct {
	hole hole
	lit  []byte
}

// hole names what fills a gap in a template.
type hole uint8

const (
	holeNone    hole = iota // a literal segment
	holeID                  // the answer's unique id suffix
	holeModel               // the model, as the JSON string the request held
	holeTool                // the first tool's name, as a JSON string
	holeCreated             // the Unix time of the answer
	holeSeq                 // the next sequence number (Responses events)
	holeOut                 // output tokens
	holeTotal               // prompt and output tokens together (OpenAI)
	holeText                // the whole answer's text
	holeWord                // the text of one chunk
)

var holeNames = map[string]hole{
	"id": holeID, "model": holeModel, "tool": holeTool, "created": holeCreated,
	"seq": holeSeq, "out": holeOut, "total": holeTotal,
	"text": holeText, "word": holeWord,
}

// compile splits s at its {{name}} holes. Valid JSON never holds "{{", so a
// template reads as the JSON it renders. An unknown name is a bug in a
// template of this package.
func compile(s string) template {
	var t template
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			panic("fakellm: unclosed template hole in " + s)
		}
		h, ok := holeNames[s[i+2:i+j]]
		if !ok {
			panic("fakellm: unknown template hole in " + s)
		}
		if i > 0 {
			t = append(t, segment{lit: []byte(s[:i])})
		}
		t = append(t, segment{hole: h})
		s = s[i+j+2:]
	}
	if s != "" {
		t = append(t, segment{lit: []byte(s)})
	}
	return t
}

// answer holds what fills the holes of one answer's templates.
type answer struct {
	id      []byte
	model   string // a JSON string, quotes included
	tool    string // a JSON string; empty when the request offered no tool
	usage   bool   // whether a Chat Completions stream ends with its usage
	created int64
	seq     int
	chunks  int
	word    int // the chunk a delta event carries
}

// out is the number of output tokens: one a chunk, and a few for the call.
func (a *answer) out() int {
	if a.tool != "" {
		return a.chunks + toolTokens
	}
	return a.chunks
}

// render appends t, filled from a, to dst.
func (t template) render(dst []byte, a *answer) []byte {
	for i := range t {
		s := &t[i]
		switch s.hole {
		case holeNone:
			dst = append(dst, s.lit...)
		case holeID:
			dst = append(dst, a.id...)
		case holeModel:
			dst = append(dst, a.model...)
		case holeTool:
			dst = append(dst, a.tool...)
		case holeCreated:
			dst = strconv.AppendInt(dst, a.created, 10)
		case holeSeq:
			dst = strconv.AppendInt(dst, int64(a.seq), 10)
			a.seq++
		case holeOut:
			dst = strconv.AppendInt(dst, int64(a.out()), 10)
		case holeTotal:
			dst = strconv.AppendInt(dst, int64(promptTokens+a.out()), 10)
		case holeText:
			for w := range a.chunks {
				dst = appendWord(dst, w)
			}
		case holeWord:
			dst = appendWord(dst, a.word)
		}
	}
	return dst
}

// words are the text of the chunks, in turn. They need no JSON escaping.
var words = []string{
	" This", " answer", " comes", " from", " fakellm,", " a", " fake", " upstream",
	" that", " stands", " in", " for", " a", " real", " model", " during", " tests",
	" and", " benchmarks.",
}

// appendWord appends the text of chunk i.
func appendWord(dst []byte, i int) []byte {
	if i == 0 {
		return append(dst, "Hello."...)
	}
	return append(dst, words[(i-1)%len(words)]...)
}

// Token counts of every answer. The prompt is mostly read from the cache,
// as it is for a coding agent in the middle of a session. The templates
// spell the constant counts out; the tests check them against these.
const (
	// CachedTokens are the prompt tokens read from the prompt cache.
	CachedTokens = 1536
	// CacheWriteTokens are the prompt tokens written to the cache; only
	// Anthropic answers report them.
	CacheWriteTokens = 128
	// UncachedTokens are the Anthropic prompt tokens that were neither read
	// from nor written to the cache.
	UncachedTokens = 314
	// promptTokens is an OpenAI answer's whole prompt, cached part included.
	promptTokens = 1850
	// toolTokens are the output tokens of a tool call.
	toolTokens = 18
)
