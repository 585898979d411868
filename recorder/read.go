package recorder

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/store"
)

// Get reads the interception id with all its records, in the order they
// were recorded. Times are in UTC. It returns an error wrapping
// store.ErrNotFound when there is no such interception. Run it on a
// transaction's queries for a consistent view of an interception that is
// still being recorded.
func Get(ctx context.Context, q db.Querier, id uuid.UUID) (*Interception, error) {
	row, err := q.GetInterception(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get interception %s: %w", id, store.MapError(err))
	}
	ic := &Interception{
		ID:             row.ID,
		InitiatorID:    row.InitiatorID,
		ProviderName:   row.ProviderName,
		ProviderType:   row.ProviderType,
		Model:          row.Model,
		Client:         row.Client,
		SessionID:      row.SessionID.String,
		CredentialKind: CredentialKind(row.CredentialKind),
		CredentialHint: row.CredentialHint,
		StartedAt:      utc(row.StartedAt),
		EndedAt:        utc(row.EndedAt),
		Status:         Status(row.Status),
		ErrorType:      ErrorType(row.ErrorType.InterceptionErrorType),
		ErrorMessage:   row.ErrorMessage.String,
		UpstreamStatus: int(row.UpstreamStatus.Int32),
	}

	usages, err := q.ListInterceptionTokenUsages(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list token usages: %w", err)
	}
	for _, u := range usages {
		ic.TokenUsages = append(ic.TokenUsages, TokenUsage{
			Input:      u.Input,
			Output:     u.Output,
			CacheRead:  u.CacheRead,
			CacheWrite: u.CacheWrite,
			Raw:        json.RawMessage(u.Raw),
			CreatedAt:  utc(u.CreatedAt),
		})
	}

	prompts, err := q.ListInterceptionPrompts(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list prompts: %w", err)
	}
	for _, p := range prompts {
		ic.Prompts = append(ic.Prompts, p.Prompt)
	}

	tools, err := q.ListInterceptionToolUsages(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list tool usages: %w", err)
	}
	for _, t := range tools {
		ic.ToolUsages = append(ic.ToolUsages, ToolUsage{
			Tool:       t.Tool,
			ToolCallID: t.ToolCallID,
			Input:      t.Input,
			CreatedAt:  utc(t.CreatedAt),
		})
	}

	thoughts, err := q.ListInterceptionThoughts(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list thoughts: %w", err)
	}
	for _, t := range thoughts {
		ic.Thoughts = append(ic.Thoughts, t.Content)
	}
	return ic, nil
}

// utc returns t in UTC, or the zero time for NULL.
func utc(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}
