package bridge_test

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/intercept"
	"github.com/aigateway/aigateway/intercept/fixture"
	"github.com/aigateway/aigateway/recorder"
)

// apiCase is one bridged API and where its fixtures live.
type apiCase struct {
	name         string
	provider     string
	path         string
	upstreamPath string
	fixtures     string
}

var apiCases = []apiCase{
	{
		name: "Messages", provider: "anthropic", path: "/v1/messages",
		upstreamPath: "/v1/messages", fixtures: "../intercept/anthropic/testdata",
	},
	{
		name: "ChatCompletions", provider: "openai", path: "/v1/chat/completions",
		upstreamPath: "/v1/chat/completions", fixtures: "../intercept/openaichat/testdata",
	},
	{
		name: "Responses", provider: "openai", path: "/v1/responses",
		upstreamPath: "/v1/responses", fixtures: "../intercept/openairesponses/testdata",
	},
}

// TestFixtures replays every recorded exchange through the gateway and
// checks the bytes the client got and what was recorded in Postgres.
func TestFixtures(t *testing.T) {
	t.Parallel()

	for _, ac := range apiCases {
		fixtures, err := fixture.LoadDir(ac.fixtures)
		require.NoError(t, err)
		require.NotEmpty(t, fixtures)

		for _, f := range fixtures {
			t.Run(ac.name+"/"+f.Name, func(t *testing.T) {
				t.Parallel()
				replay(t, ac, f)
			})
		}
	}
}

func replay(t *testing.T, ac apiCase, f fixture.Fixture) {
	g := setup(t)
	contentType := "application/json"
	chunk := 0
	if f.Streaming {
		// Split events across writes, so that the relay must put them
		// back together.
		contentType, chunk = "text/event-stream", 7
	}
	g.upstream.handle(serve(http.StatusOK, contentType, f.Response, chunk))

	resp := g.post(ac.provider, ac.path, string(f.Request), "User-Agent", "claude-cli/2.0.1")
	got := readAll(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// The upstream got the request with the provider's key.
	seen := g.upstream.seen()
	require.Len(t, seen, 1)
	require.Equal(t, ac.upstreamPath, seen[0].Path)
	if ac.provider == "anthropic" {
		require.Equal(t, anthropicKey, seen[0].Header.Get("X-Api-Key"))
		require.Empty(t, seen[0].Header.Get("Authorization"))
	} else {
		require.Equal(t, "Bearer "+openaiKey, seen[0].Header.Get("Authorization"))
		require.Empty(t, seen[0].Header.Get("X-Api-Key"))
	}

	want := f.Want.Record
	failed := want.ErrorType != "" || (f.Streaming && !want.Terminal)
	switch {
	case !f.Streaming:
		require.Equal(t, string(f.Response), string(got))
	case !want.Terminal && want.ErrorType != "":
		// A stream that ended on the provider's error event reaches the
		// client as it was, with no second error event.
		require.Equal(t, string(f.Client), string(got))
	case !want.Terminal:
		// The client gets every complete event, then an error event of the
		// gateway; a last block cut off before its blank line is left out.
		sent := completeEvents(f.Client)
		require.True(t, bytes.HasPrefix(got, sent), "client got:\n%s", got)
		tail := string(got[len(sent):])
		require.Contains(t, tail, "ended before its final event")
	default:
		require.Equal(t, string(f.Client), string(got))
	}

	ic := g.interception(resp)
	require.Equal(t, g.userID, ic.InitiatorID)
	require.Equal(t, ac.provider, ic.ProviderName)
	require.Equal(t, f.Want.Request.Model, ic.Model)
	require.Equal(t, "claude-code", ic.Client)
	require.Equal(t, recorder.CredentialCentralized, ic.CredentialKind)
	require.NotContains(t, ic.CredentialHint, openaiKey)
	require.NotEmpty(t, ic.CredentialHint)
	require.Equal(t, http.StatusOK, ic.UpstreamStatus)
	if failed {
		require.Equal(t, recorder.StatusFailed, ic.Status)
		require.NotEmpty(t, ic.ErrorType)
	} else {
		require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
		require.Empty(t, ic.ErrorType)
	}
	if f.Want.Request.Prompt != "" {
		require.Equal(t, []string{f.Want.Request.Prompt}, ic.Prompts)
	}
	requireRecorded(t, want, ic)
}

// requireRecorded checks the exact numbers and texts written to Postgres.
func requireRecorded(t *testing.T, want intercept.Record, ic *recorder.Interception) {
	t.Helper()

	require.Len(t, ic.TokenUsages, len(want.Usages))
	for i, u := range want.Usages {
		got := ic.TokenUsages[i]
		require.Equal(t, [4]int64{u.Input, u.Output, u.CacheRead, u.CacheWrite},
			[4]int64{got.Input, got.Output, got.CacheRead, got.CacheWrite}, "usage %d", i)
		if len(u.Raw) > 0 {
			require.JSONEq(t, string(u.Raw), string(got.Raw))
		}
	}

	require.Len(t, ic.ToolUsages, len(want.ToolCalls))
	for i, tc := range want.ToolCalls {
		got := ic.ToolUsages[i]
		require.Equal(t, []string{tc.ID, tc.Name, tc.Input},
			[]string{got.ToolCallID, got.Tool, got.Input}, "tool call %d", i)
	}
	if len(want.Thoughts) == 0 {
		require.Empty(t, ic.Thoughts)
	} else {
		require.Equal(t, want.Thoughts, ic.Thoughts)
	}
}

// fixtureNamed loads one fixture of an API.
func fixtureNamed(t *testing.T, ac apiCase, name string) fixture.Fixture {
	t.Helper()

	f, err := fixture.Load(filepath.Join(ac.fixtures, name+".txtar"))
	require.NoError(t, err)
	return f
}

func apiNamed(name string) apiCase {
	for _, ac := range apiCases {
		if strings.EqualFold(ac.name, name) {
			return ac
		}
	}
	panic("no api case " + name)
}

// completeEvents returns stream up to the end of its last complete event.
func completeEvents(stream []byte) []byte {
	if bytes.HasSuffix(stream, []byte("\n\n")) {
		return stream
	}
	return stream[:bytes.LastIndex(stream, []byte("\n\n"))+2]
}
