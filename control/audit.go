package control

import (
	"context"
	"errors"

	"github.com/aigateway/aigateway/gen/db"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/store"
)

// Audit words for user and token changes, as stored in audit_logs.
const (
	auditResourceUser  = "user"
	auditResourceToken = "api_token"

	auditCreate = "create"
	auditDelete = "delete"
	auditRevoke = "revoke"
)

// systemActor is the actor shown for entries written by the gateway itself,
// which have no actor_id.
const systemActor = "system"

// AuditService implements aigatewayv1.AuditServiceServer: owners and
// auditors read the audit log.
type AuditService struct {
	aigatewayv1.UnimplementedAuditServiceServer

	st *store.Store
}

// NewAuditService returns the audit service over st.
func NewAuditService(st *store.Store) *AuditService {
	return &AuditService{st: st}
}

// ListAuditLogs lists audit entries newest first, at most limit of them
// (default 100, at most 1000). before_id continues a listing after that
// entry; an id that names no entry is an invalid argument.
func (s *AuditService) ListAuditLogs(
	ctx context.Context, req *aigatewayv1.ListAuditLogsRequest,
) (*aigatewayv1.ListAuditLogsResponse, error) {
	if _, err := authorize(ctx, actReadAudit); err != nil {
		return nil, err
	}
	size, err := pageSize(req.GetLimit())
	if err != nil {
		return nil, err
	}
	before, err := parseOptionalID("before_id", req.GetBeforeId())
	if err != nil {
		return nil, err
	}

	q := s.st.Queries
	if before.Valid {
		_, err := q.GetAuditLog(ctx, before.UUID)
		if errors.Is(store.MapError(err), store.ErrNotFound) {
			return nil, invalid("before_id", "no audit entry %s", before.UUID)
		}
		if err != nil {
			return nil, internal("look up audit entry", err)
		}
	}
	rows, err := q.ListAuditLogs(ctx, db.ListAuditLogsParams{
		ResourceType: text(req.GetResourceType()),
		BeforeID:     before,
		PageSize:     size,
	})
	if err != nil {
		return nil, internal("list audit entries", err)
	}

	resp := &aigatewayv1.ListAuditLogsResponse{
		Entries: make([]*aigatewayv1.AuditLog, 0, len(rows)),
	}
	for _, r := range rows {
		actor := systemActor
		if r.ActorUsername.Valid {
			actor = r.ActorUsername.String
		}
		resp.Entries = append(resp.Entries, &aigatewayv1.AuditLog{
			Id:           r.ID.String(),
			Time:         timestamp(r.Time),
			Actor:        actor,
			Action:       r.Action,
			ResourceType: r.ResourceType,
			ResourceId:   r.ResourceID,
			Diff:         string(r.Diff),
		})
	}
	return resp, nil
}
