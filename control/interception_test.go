package control_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/control"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// validStart returns a start request that every recorder may make.
func validStart() *aigatewayv1.StartInterceptionRequest {
	return &aigatewayv1.StartInterceptionRequest{
		ProviderName:   "anthropic",
		ProviderType:   "anthropic",
		Model:          "claude-sonnet-4-5",
		CredentialKind: "centralized",
	}
}

// badTime is a timestamp outside protobuf's range.
var badTime = &timestamppb.Timestamp{Seconds: 1 << 62}

func TestStartInterception(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	member := f.byRole[auth.RoleMember]
	ctx := as(t, member)

	resp, err := f.interceptions.StartInterception(ctx, validStart())
	require.NoError(t, err)
	id, err := uuid.Parse(resp.GetId())
	require.NoError(t, err)
	require.Equal(t, uuid.Version(7), id.Version(), "ids are time-ordered, as the data plane's")

	got := f.get(t, id.String()).GetInterception()
	require.Equal(t, member.UserID.String(), got.GetInitiatorId(), "the caller is the initiator")
	require.Equal(t, member.Username, got.GetInitiator())
	require.Equal(t, "unknown", got.GetClient())
	require.Equal(t, "in_progress", got.GetStatus())
	require.WithinDuration(t, time.Now(), got.GetStartedAt().AsTime(), time.Minute)
	require.Nil(t, got.GetEndedAt())

	req := validStart()
	req.Id = uuid.NewString()
	req.Client = "claude-code"
	req.SessionId = "s-1"
	req.CredentialKind = "byok"
	req.CredentialHint = "sk-...abcd"
	req.StartedAt = timestamppb.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	resp, err = f.interceptions.StartInterception(ctx, req)
	require.NoError(t, err)
	require.Equal(t, req.GetId(), resp.GetId())
	got = f.get(t, req.GetId()).GetInterception()
	require.Equal(t, "claude-code", got.GetClient())
	require.Equal(t, "s-1", got.GetSessionId())
	require.Equal(t, "byok", got.GetCredentialKind())
	require.Equal(t, "sk-...abcd", got.GetCredentialHint())
	require.Equal(t, req.GetStartedAt().AsTime(), got.GetStartedAt().AsTime())

	_, err = f.interceptions.StartInterception(ctx, req)
	requireCode(t, err, control.CodeAlreadyExists)
}

func TestStartInterceptionInvalid(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	type req = aigatewayv1.StartInterceptionRequest
	tests := []struct {
		name   string
		change func(*req)
		field  string
	}{
		{"malformed id", func(r *req) { r.Id = "x" }, "id"},
		{"no provider name", func(r *req) { r.ProviderName = "" }, "provider_name"},
		{"no provider type", func(r *req) { r.ProviderType = "" }, "provider_type"},
		{"no model", func(r *req) { r.Model = "" }, "model"},
		{"no credential kind", func(r *req) { r.CredentialKind = "" }, "credential_kind"},
		{"unknown credential kind", func(r *req) { r.CredentialKind = "x" }, "credential_kind"},
		{"bad start time", func(r *req) { r.StartedAt = badTime }, "started_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			req := validStart()
			tt.change(req)
			_, err := f.interceptions.StartInterception(as(t, f.owner), req)
			requireInvalid(t, err, tt.field)
		})
	}
}

func TestEndInterception(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	member := f.byRole[auth.RoleMember]
	ctx := as(t, member)
	id := f.addInterception(t, member.UserID, seed{inProgress: true}).String()
	ended := time.Now().Add(time.Minute).UTC().Truncate(time.Microsecond)

	_, err := f.interceptions.EndInterception(ctx, &aigatewayv1.EndInterceptionRequest{
		Id: id, Status: "failed", ErrorType: "rate_limited", ErrorMessage: "slow down",
		UpstreamStatus: 429, EndedAt: timestamppb.New(ended),
	})
	require.NoError(t, err)
	got := f.get(t, id).GetInterception()
	require.Equal(t, "failed", got.GetStatus())
	require.Equal(t, "rate_limited", got.GetErrorType())
	require.Equal(t, "slow down", got.GetErrorMessage())
	require.Equal(t, int32(429), got.GetUpstreamStatus())
	require.Equal(t, ended, got.GetEndedAt().AsTime())

	_, err = f.interceptions.EndInterception(ctx, &aigatewayv1.EndInterceptionRequest{
		Id: id, Status: "completed",
	})
	requireCode(t, err, control.CodeFailedPrecondition)

	_, err = f.interceptions.EndInterception(ctx, &aigatewayv1.EndInterceptionRequest{
		Id: uuid.NewString(), Status: "completed",
	})
	requireCode(t, err, control.CodeNotFound)
}

func TestEndInterceptionInvalid(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	id := f.addInterception(t, f.owner.UserID, seed{inProgress: true}).String()
	tests := []struct {
		name  string
		req   *aigatewayv1.EndInterceptionRequest
		field string
	}{
		{"no id", &aigatewayv1.EndInterceptionRequest{Status: "completed"}, "id"},
		{"malformed id", &aigatewayv1.EndInterceptionRequest{Id: "x", Status: "completed"}, "id"},
		{"no status", &aigatewayv1.EndInterceptionRequest{Id: id}, "status"},
		{
			"in progress",
			&aigatewayv1.EndInterceptionRequest{Id: id, Status: "in_progress"}, "status",
		},
		{"unknown status", &aigatewayv1.EndInterceptionRequest{Id: id, Status: "done"}, "status"},
		{
			"unknown error type",
			&aigatewayv1.EndInterceptionRequest{Id: id, Status: "failed", ErrorType: "oops"},
			"error_type",
		},
		{
			"upstream status too low",
			&aigatewayv1.EndInterceptionRequest{Id: id, Status: "failed", UpstreamStatus: 99},
			"upstream_status",
		},
		{
			"upstream status too high",
			&aigatewayv1.EndInterceptionRequest{Id: id, Status: "failed", UpstreamStatus: 600},
			"upstream_status",
		},
		{
			"bad end time",
			&aigatewayv1.EndInterceptionRequest{Id: id, Status: "completed", EndedAt: badTime},
			"ended_at",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := f.interceptions.EndInterception(as(t, f.owner), tt.req)
			requireInvalid(t, err, tt.field)
		})
	}
}

// TestRecordOthersInterception checks that nobody, not even an owner,
// records to an interception another user initiated.
func TestRecordOthersInterception(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	theirs := f.addInterception(t, f.bystander.UserID, seed{inProgress: true}).String()
	missing := uuid.NewString()
	for _, tt := range []struct {
		id   string
		code control.Code
	}{
		{theirs, control.CodePermissionDenied},
		{missing, control.CodeNotFound},
	} {
		for _, role := range []auth.Role{auth.RoleOwner, auth.RoleMember} {
			ctx := as(t, f.byRole[role])
			for name, call := range recordCalls(tt.id) {
				_, err := call(f.interceptions, ctx)
				require.Error(t, err, name)
				requireCode(t, err, tt.code)
			}
		}
	}
}

// recordCalls returns a valid call of each method that records to the
// interception id.
func recordCalls(
	id string,
) map[string]func(*control.InterceptionService, context.Context) (any, error) {
	return map[string]func(*control.InterceptionService, context.Context) (any, error){
		"end": func(s *control.InterceptionService, ctx context.Context) (any, error) {
			return s.EndInterception(ctx, &aigatewayv1.EndInterceptionRequest{
				Id: id, Status: "completed",
			})
		},
		"usage": func(s *control.InterceptionService, ctx context.Context) (any, error) {
			return s.RecordTokenUsage(ctx, &aigatewayv1.RecordTokenUsageRequest{
				InterceptionId: id, Usage: &aigatewayv1.TokenUsage{},
			})
		},
		"prompt": func(s *control.InterceptionService, ctx context.Context) (any, error) {
			return s.RecordPrompt(ctx, &aigatewayv1.RecordPromptRequest{InterceptionId: id})
		},
		"tool": func(s *control.InterceptionService, ctx context.Context) (any, error) {
			return s.RecordToolUsage(ctx, &aigatewayv1.RecordToolUsageRequest{
				InterceptionId: id, ToolUsage: &aigatewayv1.ToolUsage{Tool: "ls"},
			})
		},
		"thought": func(s *control.InterceptionService, ctx context.Context) (any, error) {
			return s.RecordThought(ctx, &aigatewayv1.RecordThoughtRequest{InterceptionId: id})
		},
	}
}

func TestRecordInvalid(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	id := f.addInterception(t, f.owner.UserID, seed{inProgress: true}).String()
	usage := func(u *aigatewayv1.TokenUsage) error {
		_, err := f.interceptions.RecordTokenUsage(as(t, f.owner),
			&aigatewayv1.RecordTokenUsageRequest{InterceptionId: id, Usage: u})
		return err
	}
	tool := func(tu *aigatewayv1.ToolUsage) error {
		_, err := f.interceptions.RecordToolUsage(as(t, f.owner),
			&aigatewayv1.RecordToolUsageRequest{InterceptionId: id, ToolUsage: tu})
		return err
	}
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"no usage", usage(nil), "usage"},
		{"negative input", usage(&aigatewayv1.TokenUsage{InputTokens: -1}), "usage.input_tokens"},
		{
			"negative output",
			usage(&aigatewayv1.TokenUsage{OutputTokens: -1}), "usage.output_tokens",
		},
		{
			"negative cache read",
			usage(&aigatewayv1.TokenUsage{CacheReadInputTokens: -1}),
			"usage.cache_read_input_tokens",
		},
		{
			"negative cache write",
			usage(&aigatewayv1.TokenUsage{CacheWriteInputTokens: -1}),
			"usage.cache_write_input_tokens",
		},
		{"raw not JSON", usage(&aigatewayv1.TokenUsage{Raw: "{"}), "usage.raw"},
		{"bad usage time", usage(&aigatewayv1.TokenUsage{CreatedAt: badTime}), "usage.created_at"},
		{"no tool usage", tool(nil), "tool_usage"},
		{"no tool", tool(&aigatewayv1.ToolUsage{Input: "{}"}), "tool_usage.tool"},
		{
			"bad tool time",
			tool(&aigatewayv1.ToolUsage{Tool: "ls", CreatedAt: badTime}), "tool_usage.created_at",
		},
	}
	for name, call := range recordCalls("x") {
		_, err := call(f.interceptions, as(t, f.owner))
		tests = append(tests, struct {
			name  string
			err   error
			field string
		}{name + " malformed id", err, idField(name)})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireInvalid(t, tt.err, tt.field)
		})
	}
}

// idField names the id field of the request of a recordCalls method.
func idField(method string) string {
	if method == "end" {
		return "id"
	}
	return "interception_id"
}
