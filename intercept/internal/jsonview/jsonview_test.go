package jsonview_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept/internal/jsonview"
)

func TestAppendString(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		json string
	}{
		{name: "plain", json: `"hello"`},
		{name: "empty", json: `""`},
		{name: "simple escapes", json: `"a\"b\\c\/d\be\ff\ng\rh\ti"`},
		{name: "unicode", json: `"caf\u00e9 \u2603"`},
		{name: "surrogate pair", json: `"\ud83d\ude00!"`},
		{name: "lone surrogate", json: `"x\ud83dy"`},
		{name: "json fragment", json: `"{\"path\": \"main.go\"}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			var want string
			require.NoError(t, json.Unmarshal([]byte(tt.json), &want))
			got := jsonview.AppendString([]byte("pre:"), gjson.Parse(tt.json))
			require.Equal(t, "pre:"+want, string(got))
		})
	}
}

func TestAppendStringNotAString(t *testing.T) {
	t.Parallel()

	got := jsonview.AppendString([]byte("pre"), gjson.Parse(`12`))
	require.Equal(t, "pre", string(got))
}

func TestLastText(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name, content, want string
	}{
		{name: "string", content: `"hi"`, want: "hi"},
		{name: "last text part", content: `[{"type":"text","text":"a"},` +
			`{"type":"image"},{"type":"text","text":"b"},{"type":"tool_result"}]`, want: "b"},
		{name: "no text part", content: `[{"type":"tool_result","content":"x"}]`},
		{name: "null", content: `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got := jsonview.LastText(jsonview.Parse([]byte(tt.content)), "text")
			require.Equal(t, tt.want, got)
		})
	}
}

func TestCompact(t *testing.T) {
	t.Parallel()

	require.Equal(t, `{"a":[1,2],"b":"x y"}`, jsonview.Compact(`{ "a": [1, 2],
		"b": "x y" }`))
	require.Equal(t, `{}`, jsonview.Compact(`{}`))
	require.Equal(t, `{ bad`, jsonview.Compact(`{ bad`))
}
