package cli_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/aigateway/aigateway/client"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// The interceptions recordInterceptions makes, newest last.
const (
	completedID  = "00000000-0000-4000-8000-000000000001"
	failedID     = "00000000-0000-4000-8000-000000000002"
	inProgressID = "00000000-0000-4000-8000-000000000003"
)

// at returns a fixed time of the test data, on 2025-03-01 UTC.
func at(clock string) *timestamppb.Timestamp {
	t, err := time.Parse(time.RFC3339Nano, "2025-03-01T"+clock+"Z")
	if err != nil {
		panic(err) // the tests pass fixed, valid clocks
	}
	return timestamppb.New(t)
}

// recordInterceptions records, as the owner, a completed interception with
// every kind of record, a failed one and one still in progress.
func recordInterceptions(t *testing.T, g *gateway) {
	t.Helper()

	c, err := client.Dial(g.srv.GRPCAddr(), client.DialOptions{Token: g.adminToken(t)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	ic, ctx := c.Interceptions, t.Context()

	_, err = ic.StartInterception(ctx, &aigatewayv1.StartInterceptionRequest{
		Id: completedID, ProviderName: "openai-main", ProviderType: "openai",
		Model: "gpt-4o", Client: "codex", SessionId: "session-1",
		CredentialKind: "centralized", CredentialHint: "sk-t...ijkl",
		StartedAt: at("10:00:00"),
	})
	require.NoError(t, err)
	for _, u := range []*aigatewayv1.TokenUsage{
		{
			InputTokens: 100, OutputTokens: 20, CacheReadInputTokens: 30,
			Raw: `{"prompt_tokens":100}`,
		},
		{InputTokens: 50, OutputTokens: 10, CacheWriteInputTokens: 5},
	} {
		_, err = ic.RecordTokenUsage(ctx, &aigatewayv1.RecordTokenUsageRequest{
			InterceptionId: completedID, Usage: u,
		})
		require.NoError(t, err)
	}
	for _, p := range []string{
		"hello",
		"List the files\nin this <repository>, then read go.mod and tell me which " +
			"Go version it names & why",
	} {
		_, err = ic.RecordPrompt(ctx, &aigatewayv1.RecordPromptRequest{
			InterceptionId: completedID, Prompt: p,
		})
		require.NoError(t, err)
	}
	for _, u := range []*aigatewayv1.ToolUsage{
		{Tool: "bash", ToolCallId: "call_1", Input: `{"cmd":"ls"}`},
		{Tool: "read_file", ToolCallId: "call_2", Input: `{"path":"go.mod"}`},
	} {
		_, err = ic.RecordToolUsage(ctx, &aigatewayv1.RecordToolUsageRequest{
			InterceptionId: completedID, ToolUsage: u,
		})
		require.NoError(t, err)
	}
	_, err = ic.RecordThought(ctx, &aigatewayv1.RecordThoughtRequest{
		InterceptionId: completedID, Content: "The user wants a listing first.",
	})
	require.NoError(t, err)
	_, err = ic.EndInterception(ctx, &aigatewayv1.EndInterceptionRequest{
		Id: completedID, Status: "completed", UpstreamStatus: 200, EndedAt: at("10:00:05.25"),
	})
	require.NoError(t, err)

	_, err = ic.StartInterception(ctx, &aigatewayv1.StartInterceptionRequest{
		Id: failedID, ProviderName: "claude", ProviderType: "anthropic",
		Model: "claude-sonnet-4-5", Client: "claude-code", CredentialKind: "byok",
		StartedAt: at("11:00:00.5"),
	})
	require.NoError(t, err)
	_, err = ic.EndInterception(ctx, &aigatewayv1.EndInterceptionRequest{
		Id: failedID, Status: "failed", ErrorType: "rate_limited",
		ErrorMessage: "too many requests", UpstreamStatus: 429, EndedAt: at("11:00:01"),
	})
	require.NoError(t, err)

	_, err = ic.StartInterception(ctx, &aigatewayv1.StartInterceptionRequest{
		Id: inProgressID, ProviderName: "openai-main", ProviderType: "openai",
		Model: "gpt-4o", CredentialKind: "centralized", StartedAt: at("12:00:00"),
	})
	require.NoError(t, err)
}

func TestInterceptionsList(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	recordInterceptions(t, g)

	tr := g.transcript(t)
	tr.run("", "interceptions", "list")
	tr.run("", "interceptions", "list", "-c",
		"id,ended_at,session_id,credential_hint,error_type,prompt,tool_calls")
	tr.run("", "interceptions", "list", "-o", "json")
	tr.check("interceptions_list")

	tr = g.transcript(t)
	tr.run("", "interceptions", "list", "--provider", "claude")
	tr.run("", "interceptions", "list", "--model", "gpt-4o", "--client", "codex",
		"--initiator", "admin", "-c", "id,model,client,initiator")
	tr.run("", "interceptions", "list", "--initiator", "nobody", "-o", "json")
	tr.run("", "interceptions", "list", "--started-after", "2025-03-01T10:30:00Z", "-c", "id")
	tr.run("", "interceptions", "list", "--started-before", "2025-03-01T10:30:00Z", "-c", "id")
	tr.run("", "interceptions", "list", "--after-id", failedID, "-c", "id")
	tr.run("", "interceptions", "list", "--started-after", "yesterday")
	tr.run("", "interceptions", "list", "--limit", "5000")
	tr.check("interceptions_list_filters")

	// A full page names the cursor of the next one on stderr, so that the
	// JSON on stdout stays one array.
	r := g.cli(t, "", "interceptions", "list", "--limit", "1", "-o", "json")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.JSONEq(t, `["`+failedID+`"]`, idsOf(t, r.stdout))
	require.Equal(t, "more interceptions follow: continue with --after-id "+failedID+"\n",
		r.stderr)
}

func TestInterceptionsGet(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	recordInterceptions(t, g)

	tr := g.transcript(t)
	tr.run("", "interceptions", "get", completedID)
	tr.run("", "interceptions", "get", completedID, "-o", "json")
	tr.run("", "interceptions", "get", failedID, "-c", "id,status,error_type,error_message")
	tr.run("", "interceptions", "get", failedID, "-o", "json")
	tr.run("", "interceptions", "get", "00000000-0000-4000-8000-000000000009")
	tr.run("", "interceptions", "get", "not-an-id")
	tr.check("interceptions_get")
}

// idsOf returns the ids of a JSON array of objects, as a JSON array.
func idsOf(t *testing.T, stdout string) string {
	t.Helper()

	var objs []struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &objs))
	ids := make([]string, 0, len(objs))
	for _, o := range objs {
		ids = append(ids, o.ID)
	}
	b, err := json.Marshal(ids)
	require.NoError(t, err)
	return string(b)
}
