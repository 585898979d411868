package recorder_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/recorder"
)

func TestListInterceptions(t *testing.T) {
	t.Parallel()

	ctx := t.Context()
	f := setup(t)
	r := f.recorder(t, recorder.Options{})

	// Five interceptions a minute apart, the last two at the same instant so
	// that the id breaks the tie; the third still in progress.
	base := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	ics := make([]*recorder.Interception, 5)
	for i := range ics {
		ic := f.interception(i)
		ic.StartedAt = base.Add(time.Duration(min(i, 3)) * time.Minute)
		ic.EndedAt = ic.StartedAt.Add(time.Second)
		ics[i] = ic
	}
	ics[1].Model = "gpt-5"
	ics[1].TokenUsages = append(ics[1].TokenUsages, recorder.TokenUsage{
		Input: 1, Output: 2, CacheRead: 3, CacheWrite: 4,
	})
	ics[1].Prompts = []string{"older prompt", "latest prompt"}
	ics[2].Status, ics[2].EndedAt = recorder.StatusInProgress, time.Time{}
	ics[2].TokenUsages, ics[2].Prompts = nil, nil
	for _, ic := range ics {
		r.Record(ic)
	}
	closeWithin(t, r)

	list := func(p db.ListInterceptionsParams) []uuid.UUID {
		t.Helper()
		rows, err := f.st.Queries.ListInterceptions(ctx, p)
		require.NoError(t, err)
		ids := make([]uuid.UUID, len(rows))
		for i, row := range rows {
			ids[i] = row.ID
		}
		return ids
	}
	last, tied := ics[3].ID, ics[4].ID
	if bytes.Compare(last[:], tied[:]) < 0 {
		last, tied = tied, last
	}

	// Newest first, page by page along the keyset cursor.
	require.Equal(t, []uuid.UUID{last, tied},
		list(db.ListInterceptionsParams{PageSize: 2}))
	require.Equal(t, []uuid.UUID{ics[2].ID, ics[1].ID}, list(db.ListInterceptionsParams{
		PageSize:        2,
		CursorStartedAt: pgtype.Timestamptz{Time: ics[3].StartedAt, Valid: true},
		CursorID:        uuid.NullUUID{UUID: tied, Valid: true},
	}))

	// Filters.
	require.Equal(t, []uuid.UUID{last, tied, ics[1].ID, ics[0].ID},
		list(db.ListInterceptionsParams{PageSize: 10, OnlyEnded: true}))
	require.Equal(t, []uuid.UUID{ics[1].ID}, list(db.ListInterceptionsParams{
		PageSize: 10, Model: pgtype.Text{String: "gpt-5", Valid: true},
	}))
	require.Equal(t, []uuid.UUID{ics[2].ID, ics[1].ID}, list(db.ListInterceptionsParams{
		PageSize:      10,
		StartedAfter:  pgtype.Timestamptz{Time: ics[1].StartedAt, Valid: true},
		StartedBefore: pgtype.Timestamptz{Time: ics[3].StartedAt, Valid: true},
	}))
	require.Empty(t, list(db.ListInterceptionsParams{
		PageSize: 10, InitiatorID: uuid.NullUUID{UUID: uuid.New(), Valid: true},
	}))
	require.Len(t, list(db.ListInterceptionsParams{
		PageSize:     10,
		InitiatorID:  uuid.NullUUID{UUID: f.user, Valid: true},
		ProviderName: pgtype.Text{String: "anthropic", Valid: true},
		Client:       pgtype.Text{String: "claude-code", Valid: true},
	}), 5)

	// Sums over token usages, the latest prompt and the initiator's name.
	rows, err := f.st.Queries.ListInterceptions(ctx, db.ListInterceptionsParams{
		PageSize: 10, Model: pgtype.Text{String: "gpt-5", Valid: true},
	})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, "ann", rows[0].InitiatorUsername)
	require.Equal(t, pgtype.Text{String: "latest prompt", Valid: true}, rows[0].Prompt)
	require.Equal(t, []int64{13, 342, 1027, 60}, []int64{
		rows[0].InputTokens, rows[0].OutputTokens,
		rows[0].CacheReadTokens, rows[0].CacheWriteTokens,
	})

	got, err := f.st.Queries.GetInterception(ctx, ics[2].ID)
	require.NoError(t, err)
	require.False(t, got.EndedAt.Valid)
	require.Zero(t, got.InputTokens)

	tools, err := f.st.Queries.ListInterceptionToolUsagesByIDs(ctx,
		[]uuid.UUID{ics[0].ID, ics[1].ID})
	require.NoError(t, err)
	require.Len(t, tools, 2)
}
