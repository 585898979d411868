package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// names returns the field names of o, in order.
func names(o object) []string {
	out := make([]string, 0, len(o))
	for _, f := range o {
		out = append(out, f.name)
	}
	return out
}

func TestViewsMatchObjects(t *testing.T) {
	t.Parallel()

	details := map[string]object{}
	for _, d := range interceptionDetails(&aigatewayv1.GetInterceptionResponse{
		TokenUsages: []*aigatewayv1.TokenUsage{{}},
		Prompts:     []*aigatewayv1.Prompt{{}},
		ToolUsages:  []*aigatewayv1.ToolUsage{{}},
		Thoughts:    []*aigatewayv1.Thought{{}},
	}) {
		details[d.name] = d.objs[0]
	}

	tests := []struct {
		name string
		view *view
		obj  object
	}{
		{"Provider", providerView, providerObject(&aigatewayv1.Provider{})},
		{"ProviderKey", providerKeyView, providerKeyObject(&aigatewayv1.ProviderKey{})},
		{"User", userView, userObject(&aigatewayv1.User{})},
		{"Token", tokenView, tokenObject(&aigatewayv1.Token{})},
		{"Secret", secretView, secretObject(&aigatewayv1.Secret{})},
		{"Audit", auditView, auditObject(&aigatewayv1.AuditLog{})},
		{"Interception", interceptionView, interceptionObject(&aigatewayv1.Interception{})},
		{"TokenUsage", tokenUsageView, details["token_usages"]},
		{"Prompt", promptView, details["prompts"]},
		{"ToolUsage", toolUsageView, details["tool_usages"]},
		{"Thought", thoughtView, details["thoughts"]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.view.fields, names(tc.obj))
			require.Subset(t, tc.view.fields, tc.view.defaults)
		})
	}
}

func TestCell(t *testing.T) {
	t.Parallel()

	long := strings.Repeat("abcd ", 20)
	plusOne := time.FixedZone("X", 3600)
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"Nil", nil, "-"},
		{"Empty", "", "-"},
		{"Text", "hello", "hello"},
		{"Lines", "one\ntwo\t three", "one two three"},
		{"Long", long, strings.Repeat("abcd ", 12)[:59] + "…"},
		{"Number", int64(42), "42"},
		{"Bool", false, "false"},
		{"Time", time.Date(2025, 3, 1, 10, 0, 0, 5e8, plusOne), "2025-03-01T09:00:00Z"},
		{"RawJSON", json.RawMessage(`{"a": 1}`), `{"a": 1}`},
		{"List", []object{{{"tool", "bash"}}, {{"tool", "read"}}}, "bash,read"},
		{"EmptyList", []object{}, "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, cell(tc.value))
		})
	}
}

func TestObjectJSON(t *testing.T) {
	t.Parallel()

	obj := object{
		{"z", "a <b> & c"},
		{"a", nil},
		{"at", time.Date(2025, 3, 1, 10, 0, 0, 5e8, time.FixedZone("X", 3600))},
		{"list", []object(nil)},
		{"raw", rawJSON(`{"k":[1,2]}`)},
		{"bad", rawJSON(`{"k":`)},
	}
	got, err := marshal(obj)
	require.NoError(t, err)
	require.Equal(t, `{"z":"a <b> & c","a":null,"at":"2025-03-01T09:00:00.5Z",`+
		`"list":[],"raw":{"k":[1,2]},"bad":"{\"k\":"}`, string(got))
}

func TestPrinterColumns(t *testing.T) {
	t.Parallel()

	v := &view{fields: []string{"id", "base_url", "name"}, defaults: []string{"name"}}
	var b bytes.Buffer
	p, err := newPrinter(&b, formatTable, " NAME, base-url ,id", v)
	require.NoError(t, err)
	require.NoError(t, p.list([]object{
		{{"id", "1"}, {"base_url", "http://x"}, {"name", "alpha"}},
		{{"id", "22"}, {"base_url", nil}, {"name", "b"}},
	}))
	require.Equal(t, "NAME   BASE_URL  ID\nalpha  http://x  1\nb      -         22\n", b.String())

	_, err = newPrinter(&b, formatTable, ",", v)
	require.EqualError(t, err, "-c: no column named")
}
