package control

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aigateway/aigateway/gen/db"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/store"
)

// ListInterceptions lists ended interceptions newest first, by start time
// then id, filtered by initiator (a username), provider, model, client and
// start time (started_after inclusive, started_before exclusive). A page
// holds at most limit of them (default 100, at most 1000); next_after_id,
// set when more follow, continues the listing. An initiator that names no
// user gives an empty page; an after_id that names no interception is an
// invalid argument.
func (s *InterceptionService) ListInterceptions(
	ctx context.Context, req *aigatewayv1.ListInterceptionsRequest,
) (*aigatewayv1.ListInterceptionsResponse, error) {
	if _, err := authorize(ctx, actReadInterception); err != nil {
		return nil, err
	}
	size, err := pageSize(req.GetLimit())
	if err != nil {
		return nil, err
	}
	after, err := parseOptionalID("after_id", req.GetAfterId())
	if err != nil {
		return nil, err
	}
	startedAfter, err := timestamptz("started_after", req.GetStartedAfter())
	if err != nil {
		return nil, err
	}
	startedBefore, err := timestamptz("started_before", req.GetStartedBefore())
	if err != nil {
		return nil, err
	}

	// One more row than the page tells whether another page follows.
	params := db.ListInterceptionsParams{
		ProviderName:  text(req.GetProvider()),
		Model:         text(req.GetModel()),
		Client:        text(req.GetClient()),
		StartedAfter:  startedAfter,
		StartedBefore: startedBefore,
		OnlyEnded:     true,
		PageSize:      size + 1,
	}
	q := s.st.Queries
	if name := req.GetInitiator(); name != "" {
		// Deleted users are found too: their history stays readable.
		user, err := q.GetAnyUserByUsername(ctx, name)
		if errors.Is(store.MapError(err), store.ErrNotFound) {
			return &aigatewayv1.ListInterceptionsResponse{}, nil
		}
		if err != nil {
			return nil, internal("look up initiator", err)
		}
		params.InitiatorID = uuid.NullUUID{UUID: user.ID, Valid: true}
	}
	if after.Valid {
		started, err := q.GetInterceptionStartedAt(ctx, after.UUID)
		if errors.Is(store.MapError(err), store.ErrNotFound) {
			return nil, invalid("after_id", "no interception %s", after.UUID)
		}
		if err != nil {
			return nil, internal("look up cursor", err)
		}
		params.CursorStartedAt, params.CursorID = started, after
	}

	rows, err := q.ListInterceptions(ctx, params)
	if err != nil {
		return nil, internal("list interceptions", err)
	}
	resp := &aigatewayv1.ListInterceptionsResponse{}
	if len(rows) > int(size) {
		rows = rows[:size]
		resp.NextAfterId = rows[len(rows)-1].ID.String()
	}

	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	tools, err := q.ListInterceptionToolUsagesByIDs(ctx, ids)
	if err != nil {
		return nil, internal("list tool usages", err)
	}
	calls := make(map[uuid.UUID][]*aigatewayv1.ToolUsage, len(rows))
	for _, t := range tools {
		calls[t.InterceptionID] = append(calls[t.InterceptionID], toolUsageMessage(t))
	}

	resp.Interceptions = make([]*aigatewayv1.Interception, len(rows))
	for i, r := range rows {
		resp.Interceptions[i] = interceptionMessage(r, calls[r.ID])
	}
	return resp, nil
}

// GetInterception returns one interception, ended or not, with all its
// records in the order they were recorded. It reads them in one snapshot,
// so that an interception still being recorded reads back consistent.
func (s *InterceptionService) GetInterception(
	ctx context.Context, req *aigatewayv1.GetInterceptionRequest,
) (*aigatewayv1.GetInterceptionResponse, error) {
	if _, err := authorize(ctx, actReadInterception); err != nil {
		return nil, err
	}
	id, err := parseID("id", req.GetId())
	if err != nil {
		return nil, err
	}

	resp := &aigatewayv1.GetInterceptionResponse{}
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err = s.st.InTxWithOptions(ctx, opts, func(_ pgx.Tx, q db.Querier) error {
		return readInterception(ctx, q, id, resp)
	})
	if err != nil {
		return nil, orInternal("get interception", err)
	}
	return resp, nil
}

// readInterception fills resp with the interception id and its records.
func readInterception(
	ctx context.Context, q db.Querier, id uuid.UUID, resp *aigatewayv1.GetInterceptionResponse,
) error {
	row, err := q.GetInterception(ctx, id)
	if err != nil {
		return fromStore("interception "+id.String(), err)
	}
	usages, err := q.ListInterceptionTokenUsages(ctx, id)
	if err != nil {
		return internal("list token usages", err)
	}
	prompts, err := q.ListInterceptionPrompts(ctx, id)
	if err != nil {
		return internal("list prompts", err)
	}
	tools, err := q.ListInterceptionToolUsages(ctx, id)
	if err != nil {
		return internal("list tool usages", err)
	}
	thoughts, err := q.ListInterceptionThoughts(ctx, id)
	if err != nil {
		return internal("list thoughts", err)
	}

	for _, u := range usages {
		resp.TokenUsages = append(resp.TokenUsages, &aigatewayv1.TokenUsage{
			InputTokens:           u.Input,
			OutputTokens:          u.Output,
			CacheReadInputTokens:  u.CacheRead,
			CacheWriteInputTokens: u.CacheWrite,
			Raw:                   string(u.Raw),
			CreatedAt:             timestamp(u.CreatedAt),
		})
	}
	var latest pgtype.Text
	for _, p := range prompts {
		resp.Prompts = append(resp.Prompts, &aigatewayv1.Prompt{
			Prompt: p.Prompt, CreatedAt: timestamp(p.CreatedAt),
		})
		latest = pgtype.Text{String: p.Prompt, Valid: true}
	}
	for _, t := range tools {
		resp.ToolUsages = append(resp.ToolUsages, toolUsageMessage(t))
	}
	for _, t := range thoughts {
		resp.Thoughts = append(resp.Thoughts, &aigatewayv1.Thought{
			Content: t.Content, CreatedAt: timestamp(t.CreatedAt),
		})
	}

	// The row of one interception has the columns of a listed row but its
	// latest prompt, which comes from the prompts read above.
	resp.Interception = interceptionMessage(db.ListInterceptionsRow{
		ID: row.ID, InitiatorID: row.InitiatorID, InitiatorUsername: row.InitiatorUsername,
		ProviderName: row.ProviderName, ProviderType: row.ProviderType,
		Model: row.Model, Client: row.Client, SessionID: row.SessionID,
		CredentialKind: row.CredentialKind, CredentialHint: row.CredentialHint,
		StartedAt: row.StartedAt, EndedAt: row.EndedAt, Status: row.Status,
		ErrorType: row.ErrorType, ErrorMessage: row.ErrorMessage,
		UpstreamStatus: row.UpstreamStatus, Prompt: latest,
		InputTokens: row.InputTokens, OutputTokens: row.OutputTokens,
		CacheReadTokens: row.CacheReadTokens, CacheWriteTokens: row.CacheWriteTokens,
	}, resp.ToolUsages)
	return nil
}

// interceptionMessage maps a listed row and its tool calls.
func interceptionMessage(
	r db.ListInterceptionsRow, calls []*aigatewayv1.ToolUsage,
) *aigatewayv1.Interception {
	return &aigatewayv1.Interception{
		Id:                    r.ID.String(),
		InitiatorId:           r.InitiatorID.String(),
		Initiator:             r.InitiatorUsername,
		ProviderName:          r.ProviderName,
		ProviderType:          r.ProviderType,
		Model:                 r.Model,
		Client:                r.Client,
		SessionId:             r.SessionID.String,
		CredentialKind:        string(r.CredentialKind),
		CredentialHint:        r.CredentialHint,
		StartedAt:             timestamp(r.StartedAt),
		EndedAt:               timestamp(r.EndedAt),
		Status:                string(r.Status),
		ErrorType:             string(r.ErrorType.InterceptionErrorType),
		ErrorMessage:          r.ErrorMessage.String,
		UpstreamStatus:        r.UpstreamStatus.Int32,
		InputTokens:           r.InputTokens,
		OutputTokens:          r.OutputTokens,
		CacheReadInputTokens:  r.CacheReadTokens,
		CacheWriteInputTokens: r.CacheWriteTokens,
		Prompt:                r.Prompt.String,
		ToolCalls:             calls,
	}
}

func toolUsageMessage(t db.InterceptionToolUsage) *aigatewayv1.ToolUsage {
	return &aigatewayv1.ToolUsage{
		Tool:       t.Tool,
		ToolCallId: t.ToolCallID,
		Input:      t.Input,
		CreatedAt:  timestamp(t.CreatedAt),
	}
}
