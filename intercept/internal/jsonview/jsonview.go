// Package jsonview reads fields of a JSON document in place, without
// decoding the whole document and without copying it.
//
// The results it returns point into the document's memory, which the SSE
// scanner reuses for the next event: a string that must outlive the event is
// copied first, with strings.Clone or by appending it to a buffer.
package jsonview

import (
	"bytes"
	"encoding/json"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// Parse returns a view of doc. It does not validate doc; use Valid for that.
func Parse(doc []byte) gjson.Result {
	if len(doc) == 0 {
		return gjson.Result{}
	}

	// gjson only reads the string, and no result outlives the caller's
	// hold on doc without being copied (see the package comment), so the
	// bytes can be viewed as a string rather than copied into one.
	return gjson.Parse(unsafe.String(&doc[0], len(doc)))
}

// Valid reports whether doc is one valid JSON value.
func Valid(doc []byte) bool {
	return gjson.ValidBytes(doc)
}

// String returns the value of r when it is a JSON string, and "" otherwise.
// The string may point into the document.
func String(r gjson.Result) string {
	if r.Type != gjson.String {
		return ""
	}
	return r.Str
}

// Int returns the value of r when it is a JSON number, and 0 otherwise.
func Int(r gjson.Result) int64 {
	if r.Type != gjson.Number {
		return 0
	}
	return r.Int()
}

// AppendString appends the value of the JSON string r to dst and returns
// the extended slice; it appends nothing when r is not a string.
func AppendString(dst []byte, r gjson.Result) []byte {
	if r.Type != gjson.String {
		return dst
	}
	return append(dst, r.Str...)
}

// Each calls fn for each element of r when r is an array or for each member
// when it is an object, until fn returns false. It does nothing for any
// other value.
func Each(r gjson.Result, fn func(key, value gjson.Result) bool) {
	if r.IsArray() || r.IsObject() {
		r.ForEach(fn)
	}
}

// LastText returns the text of a message's content: the content itself when
// it is a string, or the "text" of its last part whose "type" is partType
// when it is an array of parts. It returns "" when there is no such text.
// The string may point into the document.
func LastText(content gjson.Result, partType string) string {
	if content.Type == gjson.String {
		return content.Str
	}

	text := ""
	Each(content, func(_, part gjson.Result) bool {
		if String(part.Get("type")) == partType {
			text = String(part.Get("text"))
		}
		return true
	})
	return text
}

// Compact returns the JSON text raw without insignificant white space, or
// raw itself when it has none or is not valid JSON.
func Compact(raw string) string {
	if !strings.ContainsAny(raw, " \t\r\n") {
		return raw
	}

	var b bytes.Buffer
	if err := json.Compact(&b, []byte(raw)); err != nil {
		return raw
	}
	return b.String()
}
