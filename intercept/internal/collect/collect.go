// Package collect gathers the pieces of tool calls and thinking texts that
// a response stream sends in fragments, keyed by the provider's own index.
package collect

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/jsonview"
)

// Key combines two indexes, such as a choice's and a tool call's within it,
// into one key.
func Key(outer, inner int64) int64 {
	return outer<<32 | inner&0xffffffff
}

// ToolCalls gathers streamed tool calls. The zero value is ready to use.
type ToolCalls struct {
	calls []toolCall
}

// toolCall is one tool call being gathered.
type toolCall struct {
	key      int64
	id, name string
	args     []byte
	fallback string // the arguments to use when no fragment arrives
}

// Start notes that the call at key has the given id and name, filling in
// only what is not known yet. args is the input the provider announced the
// call with; it stands in for the arguments when no fragment follows.
func (t *ToolCalls) Start(key int64, id, name, args string) {
	c := t.get(key)
	if c.id == "" {
		c.id = strings.Clone(id)
	}
	if c.name == "" {
		c.name = strings.Clone(name)
	}
	if c.fallback == "" {
		c.fallback = strings.Clone(args)
	}
}

// Append adds fragment, a JSON string, to the arguments of the call at key.
func (t *ToolCalls) Append(key int64, fragment gjson.Result) {
	c := t.get(key)
	c.args = jsonview.AppendString(c.args, fragment)
}

// Replace sets the arguments of the call at key to args, a JSON string that
// a provider sends whole once the call is complete. An empty or absent args
// changes nothing.
func (t *ToolCalls) Replace(key int64, args gjson.Result) {
	if jsonview.String(args) == "" {
		return
	}

	c := t.get(key)
	c.args = jsonview.AppendString(c.args[:0], args)
}

// List returns the calls in the order they began, or nil when there are
// none.
func (t *ToolCalls) List() []intercept.ToolCall {
	if len(t.calls) == 0 {
		return nil
	}

	out := make([]intercept.ToolCall, len(t.calls))
	for i, c := range t.calls {
		out[i] = intercept.ToolCall{ID: c.id, Name: c.name, Input: string(c.args)}
		if len(c.args) == 0 {
			out[i].Input = c.fallback
		}
	}
	return out
}

// get returns the call at key, adding it when it is new.
func (t *ToolCalls) get(key int64) *toolCall {
	// Fragments nearly always go to the latest call, so search from the end.
	for i := len(t.calls) - 1; i >= 0; i-- {
		if t.calls[i].key == key {
			return &t.calls[i]
		}
	}

	t.calls = append(t.calls, toolCall{key: key})
	return &t.calls[len(t.calls)-1]
}

// Texts gathers streamed texts, such as thinking blocks. The zero value is
// ready to use.
type Texts struct {
	texts []text
}

// text is one text being gathered.
type text struct {
	key int64
	b   []byte
}

// Append adds fragment, a JSON string, to the text at key. An empty or
// absent fragment changes nothing, so that a text only begins with its
// first character.
func (t *Texts) Append(key int64, fragment gjson.Result) {
	if jsonview.String(fragment) == "" {
		return
	}

	x := t.get(key)
	x.b = jsonview.AppendString(x.b, fragment)
}

// Replace sets the text at key to s, a JSON string that a provider sends
// whole once the text is complete. An empty or absent s changes nothing.
func (t *Texts) Replace(key int64, s gjson.Result) {
	if jsonview.String(s) == "" {
		return
	}

	x := t.get(key)
	x.b = jsonview.AppendString(x.b[:0], s)
}

// List returns the texts in the order they began, or nil when there are
// none.
func (t *Texts) List() []string {
	if len(t.texts) == 0 {
		return nil
	}

	out := make([]string, len(t.texts))
	for i, x := range t.texts {
		out[i] = string(x.b)
	}
	return out
}

// get returns the text at key, adding it when it is new.
func (t *Texts) get(key int64) *text {
	for i := len(t.texts) - 1; i >= 0; i-- {
		if t.texts[i].key == key {
			return &t.texts[i]
		}
	}

	t.texts = append(t.texts, text{key: key})
	return &t.texts[len(t.texts)-1]
}
