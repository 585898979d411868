package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// The output formats of -o.
const (
	formatTable = "table"
	formatJSON  = "json"
)

// cellWidth is the most characters a table cell shows of a long text; the
// JSON output always carries the whole text.
const cellWidth = 60

// field is one named value of an output object. The value is nil (absent),
// a string, a bool, an integer, a time.Time, a json.RawMessage or a list of
// objects.
type field struct {
	name  string
	value any
}

// object is one thing a command prints, its fields in order: in JSON an
// object with those keys, in a table one row.
type object []field

// value returns the value of the field called name, nil when there is none.
func (o object) value(name string) any {
	for _, f := range o {
		if f.name == name {
			return f.value
		}
	}
	return nil
}

// MarshalJSON writes the fields in their order. Times are RFC 3339 in UTC,
// a nil list is an empty array.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := marshal(f.name)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')

		v, err := marshal(jsonValue(f.value))
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.name, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func jsonValue(v any) any {
	switch v := v.(type) {
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []object:
		if v == nil {
			return []object{}
		}
	}
	return v
}

// marshal is json.Marshal without HTML escaping, so that a prompt with
// "<" reads as it was written.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// view names every field of the objects a command prints, in order, and
// the columns its table shows when -c is not given.
type view struct {
	fields   []string
	defaults []string
}

// columns parses a -c value against the view's fields; empty gives the
// default columns.
func (v *view) columns(spec string) ([]string, error) {
	if spec == "" {
		return v.defaults, nil
	}
	var cols []string
	for c := range strings.SplitSeq(spec, ",") {
		c = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(c)), "-", "_")
		if c == "" {
			continue
		}
		if !slices.Contains(v.fields, c) {
			return nil, fmt.Errorf("-c: unknown column %q; valid columns: %s",
				c, strings.Join(v.fields, ", "))
		}
		cols = append(cols, c)
	}
	if len(cols) == 0 {
		return nil, errors.New("-c: no column named")
	}
	return cols, nil
}

// printer writes a command's objects as an aligned table or as JSON.
type printer struct {
	w       io.Writer
	json    bool
	columns []string
}

// newPrinter checks -o and -c. A command that prints no objects passes a
// nil view, and then takes no -c.
func newPrinter(w io.Writer, format, columns string, v *view) (*printer, error) {
	p := &printer{w: w}
	switch format {
	case formatTable:
	case formatJSON:
		p.json = true
	default:
		return nil, fmt.Errorf("-o: unknown output format %q; want table or json", format)
	}

	switch {
	case columns == "":
	case v == nil:
		return nil, errors.New("-c: this command prints no table columns")
	case p.json:
		return nil, errors.New("-c chooses table columns; it does not apply to -o json")
	}
	if v != nil {
		cols, err := v.columns(columns)
		if err != nil {
			return nil, err
		}
		p.columns = cols
	}
	return p, nil
}

// list prints objects: a JSON array, or a table with a header row.
func (p *printer) list(objs []object) error {
	if p.json {
		return p.writeJSON(jsonValue(objs))
	}
	return writeTable(p.w, p.columns, objs)
}

// one prints a single object: a JSON object, or a table of one row.
func (p *printer) one(obj object) error {
	if p.json {
		return p.writeJSON(obj)
	}
	return writeTable(p.w, p.columns, []object{obj})
}

// done reports a change that has no object to show: the message in a
// table, obj in JSON.
func (p *printer) done(message string, obj object) error {
	if p.json {
		return p.writeJSON(obj)
	}
	_, err := fmt.Fprintln(p.w, message)
	return err
}

// section prints, in table mode only, a titled table of a detail list
// with v's default columns.
func (p *printer) section(title string, v *view, objs []object) error {
	if p.json {
		return nil
	}
	if _, err := fmt.Fprintf(p.w, "\n%s\n", title); err != nil {
		return err
	}
	if len(objs) == 0 {
		_, err := fmt.Fprintln(p.w, "(none)")
		return err
	}
	return writeTable(p.w, v.defaults, objs)
}

func (p *printer) writeJSON(v any) error {
	enc := json.NewEncoder(p.w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeTable writes the columns of objs, aligned, under an upper-case
// header.
func writeTable(w io.Writer, columns []string, objs []object) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = strings.ToUpper(c)
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))

	cells := make([]string, len(columns))
	for _, o := range objs {
		for i, c := range columns {
			cells[i] = cell(o.value(c))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// cell formats a value for a table: on one line, long texts shortened,
// times in UTC to the second, a list as the first field of each item, and
// an absent or empty value as "-".
func cell(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
	case string:
		s = v
	case bool:
		s = strconv.FormatBool(v)
	case time.Time:
		s = v.UTC().Format(time.RFC3339)
	case json.RawMessage:
		s = string(v)
	case []object:
		names := make([]string, 0, len(v))
		for _, o := range v {
			if len(o) > 0 {
				names = append(names, cell(o[0].value))
			}
		}
		s = strings.Join(names, ",")
	default:
		s = fmt.Sprint(v)
	}

	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > cellWidth {
		s = string([]rune(s)[:cellWidth-1]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

// optional returns s, or nil for the empty string the protobuf messages
// use for an absent value.
func optional(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rawJSON returns s as embedded JSON when it is valid JSON, else as a
// string; empty gives nil.
func rawJSON(s string) any {
	switch {
	case s == "":
		return nil
	case json.Valid([]byte(s)):
		return json.RawMessage(s)
	}
	return s
}

// tableTitle is the title of a detail table: the field name in upper
// case, with spaces.
func tableTitle(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "_", " "))
}
