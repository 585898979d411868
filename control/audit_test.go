package control_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/gen/db"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// addAuditEntries writes n entries of resourceType by actor (the system
// when uuid.Nil), one statement each, and returns their resource ids.
func (f *fixture) addAuditEntries(
	t *testing.T, n int, actor uuid.UUID, resourceType string,
) []string {
	t.Helper()

	var ids []string
	for i := range n {
		id := fmt.Sprintf("%s-%d", resourceType, i)
		err := f.st.Queries.InsertAuditLog(t.Context(), db.InsertAuditLogParams{
			ActorID:      uuid.NullUUID{UUID: actor, Valid: actor != uuid.Nil},
			Action:       "create",
			ResourceType: resourceType,
			ResourceID:   id,
			Diff:         []byte(`{"after":{}}`),
		})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	return ids
}

func TestListAuditLogs(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	f.addAuditEntries(t, 2, uuid.Nil, "ai_provider")
	f.addAuditEntries(t, 1, f.owner.UserID, "user")

	resp, err := f.audit.ListAuditLogs(as(t, f.owner), &aigatewayv1.ListAuditLogsRequest{})
	require.NoError(t, err)
	entries := resp.GetEntries()
	require.Len(t, entries, 3)
	require.Equal(t, "user-0", entries[0].GetResourceId(), "newest first")
	require.Equal(t, f.owner.Username, entries[0].GetActor())
	require.Equal(t, "system", entries[1].GetActor())
	require.Equal(t, "ai_provider-1", entries[1].GetResourceId())
	require.Equal(t, "create", entries[1].GetAction())
	require.JSONEq(t, `{"after":{}}`, entries[1].GetDiff())
	require.NotNil(t, entries[1].GetTime())

	resp, err = f.audit.ListAuditLogs(as(t, f.owner), &aigatewayv1.ListAuditLogsRequest{
		ResourceType: "user",
	})
	require.NoError(t, err)
	require.Len(t, resp.GetEntries(), 1)
}

func TestListAuditLogsPages(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	ids := f.addAuditEntries(t, 101, f.owner.UserID, "user")
	ctx := as(t, f.owner)

	resp, err := f.audit.ListAuditLogs(ctx, &aigatewayv1.ListAuditLogsRequest{})
	require.NoError(t, err)
	require.Len(t, resp.GetEntries(), 100, "the default page")

	// Walk the log 40 at a time, from the newest entry to the oldest.
	var got []string
	var before string
	for range 10 {
		resp, err := f.audit.ListAuditLogs(ctx, &aigatewayv1.ListAuditLogsRequest{
			Limit: 40, BeforeId: before,
		})
		require.NoError(t, err)
		if len(resp.GetEntries()) == 0 {
			break
		}
		for _, e := range resp.GetEntries() {
			got = append(got, e.GetResourceId())
			before = e.GetId()
		}
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	require.Equal(t, ids, got)

	resp, err = f.audit.ListAuditLogs(ctx, &aigatewayv1.ListAuditLogsRequest{Limit: 1000})
	require.NoError(t, err)
	require.Len(t, resp.GetEntries(), 101)
}

func TestListAuditLogsInvalid(t *testing.T) {
	t.Parallel()

	f := newFixture(t)
	tests := []struct {
		name  string
		req   *aigatewayv1.ListAuditLogsRequest
		field string
	}{
		{"limit above 1000", &aigatewayv1.ListAuditLogsRequest{Limit: 1001}, "limit"},
		{"negative limit", &aigatewayv1.ListAuditLogsRequest{Limit: -1}, "limit"},
		{"malformed before_id", &aigatewayv1.ListAuditLogsRequest{BeforeId: "x"}, "before_id"},
		{
			"unknown before_id",
			&aigatewayv1.ListAuditLogsRequest{BeforeId: uuid.NewString()},
			"before_id",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := f.audit.ListAuditLogs(as(t, f.owner), tt.req)
			requireInvalid(t, err, tt.field)
		})
	}
}
