package control_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/control"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// get reads the interception id as the owner.
func (f *fixture) get(t *testing.T, id string) *aigatewayv1.GetInterceptionResponse {
	t.Helper()

	resp, err := f.interceptions.GetInterception(as(t, f.owner),
		&aigatewayv1.GetInterceptionRequest{Id: id})
	require.NoError(t, err)
	return resp
}

// list lists interceptions as the owner.
func (f *fixture) list(
	t *testing.T, req *aigatewayv1.ListInterceptionsRequest,
) *aigatewayv1.ListInterceptionsResponse {
	t.Helper()

	resp, err := f.interceptions.ListInterceptions(as(t, f.owner), req)
	require.NoError(t, err)
	return resp
}

func listedIDs(resp *aigatewayv1.ListInterceptionsResponse) []string {
	ids := []string{}
	for _, ic := range resp.GetInterceptions() {
		ids = append(ids, ic.GetId())
	}
	return ids
}

// TestRecordAndGet records an interception through the service and reads
// it back with all its records.
func TestRecordAndGet(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	sa := f.byRole[auth.RoleServiceAccount]
	ctx := as(t, sa)
	s := f.interceptions
	at := func(sec int) *timestamppb.Timestamp {
		return timestamppb.New(time.Date(2025, 5, 1, 10, 0, sec, 0, time.UTC))
	}

	start := validStart()
	start.StartedAt = at(0)
	started, err := s.StartInterception(ctx, start)
	require.NoError(t, err)
	id := started.GetId()
	usages := []*aigatewayv1.TokenUsage{
		{
			InputTokens: 10, OutputTokens: 20, CacheReadInputTokens: 30,
			CacheWriteInputTokens: 40, Raw: `{"input_tokens": 10}`, CreatedAt: at(1),
		},
		{InputTokens: 1, OutputTokens: 2, CacheReadInputTokens: 3, CacheWriteInputTokens: 4},
	}
	for _, u := range usages {
		_, err = s.RecordTokenUsage(ctx, &aigatewayv1.RecordTokenUsageRequest{
			InterceptionId: id, Usage: u,
		})
		require.NoError(t, err)
	}
	for _, p := range []string{"first", "second"} {
		_, err = s.RecordPrompt(ctx, &aigatewayv1.RecordPromptRequest{
			InterceptionId: id, Prompt: p,
		})
		require.NoError(t, err)
	}
	tool := &aigatewayv1.ToolUsage{
		Tool: "read_file", ToolCallId: "call_1", Input: `{"path": "a.go",}`, CreatedAt: at(2),
	}
	_, err = s.RecordToolUsage(ctx, &aigatewayv1.RecordToolUsageRequest{
		InterceptionId: id, ToolUsage: tool,
	})
	require.NoError(t, err)
	_, err = s.RecordThought(ctx, &aigatewayv1.RecordThoughtRequest{
		InterceptionId: id, Content: "let me look",
	})
	require.NoError(t, err)
	_, err = s.EndInterception(ctx, &aigatewayv1.EndInterceptionRequest{
		Id: id, Status: "completed", UpstreamStatus: 200, EndedAt: at(3),
	})
	require.NoError(t, err)

	got := f.get(t, id)
	ic := got.GetInterception()
	require.Equal(t, sa.Username, ic.GetInitiator())
	require.Equal(t, "completed", ic.GetStatus())
	require.Equal(t, at(3).AsTime(), ic.GetEndedAt().AsTime())
	require.Equal(t, int64(11), ic.GetInputTokens())
	require.Equal(t, int64(22), ic.GetOutputTokens())
	require.Equal(t, int64(33), ic.GetCacheReadInputTokens())
	require.Equal(t, int64(44), ic.GetCacheWriteInputTokens())
	require.Equal(t, "second", ic.GetPrompt(), "the latest prompt")
	require.Len(t, ic.GetToolCalls(), 1)

	require.Len(t, got.GetTokenUsages(), 2)
	require.JSONEq(t, `{"input_tokens": 10}`, got.GetTokenUsages()[0].GetRaw())
	require.Equal(t, at(1).AsTime(), got.GetTokenUsages()[0].GetCreatedAt().AsTime())
	require.Empty(t, got.GetTokenUsages()[1].GetRaw())
	require.Equal(t, int64(4), got.GetTokenUsages()[1].GetCacheWriteInputTokens())
	require.Len(t, got.GetPrompts(), 2)
	require.Equal(t, "first", got.GetPrompts()[0].GetPrompt())
	require.NotNil(t, got.GetPrompts()[0].GetCreatedAt())
	require.Len(t, got.GetToolUsages(), 1)
	require.Equal(t, "read_file", got.GetToolUsages()[0].GetTool())
	require.Equal(t, "call_1", got.GetToolUsages()[0].GetToolCallId())
	require.Equal(t, tool.GetInput(), got.GetToolUsages()[0].GetInput(), "kept byte for byte")
	require.Len(t, got.GetThoughts(), 1)
	require.Equal(t, "let me look", got.GetThoughts()[0].GetContent())
}

func TestGetInterceptionErrors(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	ctx := as(t, f.owner)
	_, err := f.interceptions.GetInterception(ctx, &aigatewayv1.GetInterceptionRequest{
		Id: uuid.NewString(),
	})
	requireCode(t, err, control.CodeNotFound)
	_, err = f.interceptions.GetInterception(ctx, &aigatewayv1.GetInterceptionRequest{Id: "x"})
	requireInvalid(t, err, "id")
	_, err = f.interceptions.GetInterception(ctx, &aigatewayv1.GetInterceptionRequest{})
	requireInvalid(t, err, "id")
}

func TestListInterceptionsFilters(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	member := f.byRole[auth.RoleMember]
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	hour := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
	a := f.addInterception(t, member.UserID, seed{started: hour(1)}).String()
	b := f.addInterception(t, member.UserID, seed{
		started: hour(2), provider: "claude", model: "opus", client: "claude-code",
	}).String()
	c := f.addInterception(t, f.bystander.UserID, seed{started: hour(3)}).String()
	f.addInterception(t, member.UserID, seed{started: hour(4), inProgress: true})

	tests := []struct {
		name string
		req  *aigatewayv1.ListInterceptionsRequest
		want []string
	}{
		{"all ended, newest first", &aigatewayv1.ListInterceptionsRequest{}, []string{c, b, a}},
		{
			"initiator",
			&aigatewayv1.ListInterceptionsRequest{Initiator: member.Username},
			[]string{b, a},
		},
		{
			"unknown initiator",
			&aigatewayv1.ListInterceptionsRequest{Initiator: "nobody"},
			[]string{},
		},
		{"provider", &aigatewayv1.ListInterceptionsRequest{Provider: "claude"}, []string{b}},
		{"model", &aigatewayv1.ListInterceptionsRequest{Model: "gpt-4o"}, []string{c, a}},
		{"client", &aigatewayv1.ListInterceptionsRequest{Client: "claude-code"}, []string{b}},
		{
			"started after, inclusive",
			&aigatewayv1.ListInterceptionsRequest{StartedAfter: timestamppb.New(hour(2))},
			[]string{c, b},
		},
		{
			"started before, exclusive",
			&aigatewayv1.ListInterceptionsRequest{StartedBefore: timestamppb.New(hour(2))},
			[]string{a},
		},
		{
			"several",
			&aigatewayv1.ListInterceptionsRequest{
				Initiator: member.Username, Model: "gpt-4o",
				StartedAfter: timestamppb.New(hour(0)), StartedBefore: timestamppb.New(hour(9)),
			},
			[]string{a},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			resp := f.list(t, tt.req)
			require.Equal(t, tt.want, listedIDs(resp))
			require.Empty(t, resp.GetNextAfterId())
		})
	}

	// A deleted user's history stays listed under the name.
	_, err := f.users.DeleteUser(as(t, f.owner), &aigatewayv1.DeleteUserRequest{
		Username: f.bystander.Username,
	})
	require.NoError(t, err)
	resp := f.list(t, &aigatewayv1.ListInterceptionsRequest{Initiator: f.bystander.Username})
	require.Equal(t, []string{c}, listedIDs(resp))
}

func TestListInterceptionsRows(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	ctx := as(t, f.owner)
	one := f.addInterception(t, f.owner.UserID, seed{}).String()
	two := f.addInterception(t, f.owner.UserID, seed{started: time.Now().Add(-time.Hour)})
	for _, tool := range []string{"ls", "cat"} {
		_, err := f.interceptions.RecordToolUsage(ctx, &aigatewayv1.RecordToolUsageRequest{
			InterceptionId: one, ToolUsage: &aigatewayv1.ToolUsage{Tool: tool, Input: "{}"},
		})
		require.NoError(t, err)
	}
	_, err := f.interceptions.RecordTokenUsage(ctx, &aigatewayv1.RecordTokenUsageRequest{
		InterceptionId: one, Usage: &aigatewayv1.TokenUsage{InputTokens: 5, OutputTokens: 7},
	})
	require.NoError(t, err)
	_, err = f.interceptions.RecordPrompt(ctx, &aigatewayv1.RecordPromptRequest{
		InterceptionId: one, Prompt: "list files",
	})
	require.NoError(t, err)

	resp := f.list(t, &aigatewayv1.ListInterceptionsRequest{})
	require.Equal(t, []string{one, two.String()}, listedIDs(resp))
	first, second := resp.GetInterceptions()[0], resp.GetInterceptions()[1]
	require.Equal(t, f.owner.Username, first.GetInitiator())
	require.Equal(t, f.owner.UserID.String(), first.GetInitiatorId())
	require.Equal(t, "openai", first.GetProviderName())
	require.Equal(t, "completed", first.GetStatus())
	require.Equal(t, int64(5), first.GetInputTokens())
	require.Equal(t, int64(7), first.GetOutputTokens())
	require.Equal(t, "list files", first.GetPrompt())
	require.Len(t, first.GetToolCalls(), 2)
	require.Equal(t, "ls", first.GetToolCalls()[0].GetTool())
	require.Equal(t, "cat", first.GetToolCalls()[1].GetTool())
	require.Empty(t, second.GetToolCalls())
	require.Zero(t, second.GetInputTokens())
}

func TestListInterceptionsPages(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	// Three interceptions share a start time, so that the id breaks ties.
	same := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	for i := range 7 {
		started := same
		if i >= 3 {
			started = same.Add(time.Duration(i) * time.Minute)
		}
		f.addInterception(t, f.owner.UserID, seed{started: started})
	}
	all := listedIDs(f.list(t, &aigatewayv1.ListInterceptionsRequest{}))
	require.Len(t, all, 7)

	var got []string
	var after string
	for page := 0; ; page++ {
		require.Less(t, page, 4, "the listing does not end")
		resp := f.list(t, &aigatewayv1.ListInterceptionsRequest{Limit: 3, AfterId: after})
		got = append(got, listedIDs(resp)...)
		after = resp.GetNextAfterId()
		if after == "" {
			require.Len(t, resp.GetInterceptions(), 1, "the last page")
			break
		}
		require.Len(t, resp.GetInterceptions(), 3)
		require.Equal(t, got[len(got)-1], after)
	}
	require.Equal(t, all, got)

	// A full last page has no next page.
	resp := f.list(t, &aigatewayv1.ListInterceptionsRequest{Limit: 7})
	require.Len(t, resp.GetInterceptions(), 7)
	require.Empty(t, resp.GetNextAfterId())
}

func TestListInterceptionsPageSize(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	_, err := f.st.Pool.Exec(t.Context(), `
		INSERT INTO interceptions (
			id, initiator_id, provider_name, provider_type, model, client,
			credential_kind, credential_hint, started_at, ended_at, status
		)
		SELECT gen_random_uuid(), $1, 'openai', 'openai', 'gpt-4o', 'codex',
			'centralized', '', now() - g * interval '1 second', now(), 'completed'
		FROM generate_series(1, 1001) g`, f.owner.UserID)
	require.NoError(t, err)

	resp := f.list(t, &aigatewayv1.ListInterceptionsRequest{})
	require.Len(t, resp.GetInterceptions(), 100, "the default page")
	require.NotEmpty(t, resp.GetNextAfterId())
	resp = f.list(t, &aigatewayv1.ListInterceptionsRequest{Limit: 1000})
	require.Len(t, resp.GetInterceptions(), 1000, "the largest page")
	require.NotEmpty(t, resp.GetNextAfterId())
}

func TestListInterceptionsInvalid(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	tests := []struct {
		name  string
		req   *aigatewayv1.ListInterceptionsRequest
		field string
	}{
		{"limit above 1000", &aigatewayv1.ListInterceptionsRequest{Limit: 1001}, "limit"},
		{"negative limit", &aigatewayv1.ListInterceptionsRequest{Limit: -5}, "limit"},
		{"malformed after_id", &aigatewayv1.ListInterceptionsRequest{AfterId: "x"}, "after_id"},
		{
			"unknown after_id",
			&aigatewayv1.ListInterceptionsRequest{AfterId: uuid.NewString()}, "after_id",
		},
		{
			"bad started_after",
			&aigatewayv1.ListInterceptionsRequest{StartedAfter: badTime}, "started_after",
		},
		{
			"bad started_before",
			&aigatewayv1.ListInterceptionsRequest{StartedBefore: badTime}, "started_before",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := f.interceptions.ListInterceptions(as(t, f.owner), tt.req)
			requireInvalid(t, err, tt.field)
		})
	}
}
