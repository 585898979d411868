package collect_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/internal/collect"
)

func TestToolCalls(t *testing.T) {
	t.Parallel()

	var tc collect.ToolCalls
	require.Nil(t, tc.List())

	tc.Start(1, "call_a", "read", "{}")
	tc.Start(2, "call_b", "list", "{}")
	tc.Append(1, gjson.Parse(`"{\"path\":"`))
	tc.Append(1, gjson.Parse(`"\"a.go\"}"`))
	tc.Start(1, "call_other", "other", "")
	tc.Append(3, gjson.Parse(`"{}"`))
	tc.Replace(4, gjson.Parse(`"{\"x\":1}"`))
	tc.Append(4, gjson.Parse(`"overwritten by the next Replace"`))
	tc.Replace(4, gjson.Parse(`"{\"x\":2}"`))
	tc.Replace(4, gjson.Parse(`""`))

	require.Equal(t, []intercept.ToolCall{
		{ID: "call_a", Name: "read", Input: `{"path":"a.go"}`},
		{ID: "call_b", Name: "list", Input: "{}"},
		{Input: "{}"},
		{Input: `{"x":2}`},
	}, tc.List())
}

func TestTexts(t *testing.T) {
	t.Parallel()

	var tx collect.Texts
	require.Nil(t, tx.List())

	tx.Append(0, gjson.Parse(`""`))
	tx.Append(collect.Key(1, 0), gjson.Parse(`"a"`))
	tx.Append(collect.Key(1, 1), gjson.Parse(`"x"`))
	tx.Append(collect.Key(1, 0), gjson.Parse(`"b\n"`))
	tx.Replace(collect.Key(1, 1), gjson.Parse(`"xyz"`))

	require.Equal(t, []string{"ab\n", "xyz"}, tx.List())
}

func TestKey(t *testing.T) {
	t.Parallel()

	require.NotEqual(t, collect.Key(0, 1), collect.Key(1, 0))
	require.Equal(t, int64(1)<<32|2, collect.Key(1, 2))
}
