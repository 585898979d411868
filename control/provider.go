package control

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/aigateway/aigateway/breaker"
	"github.com/aigateway/aigateway/gen/db"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/store"
)

// Health reports the runtime state of a provider on this server.
type Health interface {
	// ProviderHealth returns the states of the provider's keys, in failover
	// order, and of its circuit breakers. Both are empty for a provider
	// that has served no request yet.
	ProviderHealth(provider string) ([]keyfailover.KeyState, []breaker.Status)
}

// ProviderService implements aigatewayv1.ProviderService. Every change is
// audited and announced with NOTIFY, so that every server reloads its
// provider set.
type ProviderService struct {
	aigatewayv1.UnimplementedProviderServiceServer

	st     *store.Store
	health Health
}

// NewProviderService returns the provider service over st; health may be
// nil, in which case GetProviderHealth reports nothing.
func NewProviderService(st *store.Store, health Health) *ProviderService {
	return &ProviderService{st: st, health: health}
}

// ListProviders lists the providers that are not deleted.
func (s *ProviderService) ListProviders(
	ctx context.Context, _ *aigatewayv1.ListProvidersRequest,
) (*aigatewayv1.ListProvidersResponse, error) {
	if _, err := authorize(ctx, actReadProviders); err != nil {
		return nil, err
	}
	rows, err := s.st.Queries.ListProviders(ctx)
	if err != nil {
		return nil, internal("list providers", err)
	}
	resp := &aigatewayv1.ListProvidersResponse{}
	for _, r := range rows {
		resp.Providers = append(resp.Providers,
			providerMessage(r.AiProvider, r.UpdatedByUsername, r.KeyCount))
	}
	return resp, nil
}

// GetProvider returns one provider.
func (s *ProviderService) GetProvider(
	ctx context.Context, req *aigatewayv1.GetProviderRequest,
) (*aigatewayv1.GetProviderResponse, error) {
	if _, err := authorize(ctx, actReadProviders); err != nil {
		return nil, err
	}
	p, err := s.get(ctx, s.st.Queries, "name", req.GetName())
	if err != nil {
		return nil, err
	}
	return &aigatewayv1.GetProviderResponse{Provider: p}, nil
}

// CreateProvider adds a provider.
func (s *ProviderService) CreateProvider(
	ctx context.Context, req *aigatewayv1.CreateProviderRequest,
) (*aigatewayv1.CreateProviderResponse, error) {
	ini, err := authorize(ctx, actManageProviders)
	if err != nil {
		return nil, err
	}
	spec, err := specOf(req)
	if err != nil {
		return nil, err
	}

	var out *aigatewayv1.Provider
	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		_, err := providers.Insert(ctx, q, spec, actorOf(ini.UserID))
		if errors.Is(store.MapError(err), store.ErrAlreadyExists) {
			return alreadyExists("provider %q already exists (names stay taken after "+
				"deletion)", spec.Name)
		}
		if err != nil {
			return internal("create provider", err)
		}
		if out, err = s.get(ctx, q, "name", spec.Name); err != nil {
			return err
		}
		return notify(ctx, q)
	})
	if err != nil {
		return nil, err
	}
	return &aigatewayv1.CreateProviderResponse{Provider: out}, nil
}

// UpdateProvider changes a provider's base URL or enabled flag.
func (s *ProviderService) UpdateProvider(
	ctx context.Context, req *aigatewayv1.UpdateProviderRequest,
) (*aigatewayv1.UpdateProviderResponse, error) {
	ini, err := authorize(ctx, actManageProviders)
	if err != nil {
		return nil, err
	}
	params := db.UpdateProviderParams{UpdatedBy: actorOf(ini.UserID)}
	if req.BaseUrl != nil {
		u, err := providers.NormaliseBaseURL(req.GetBaseUrl())
		if err != nil {
			return nil, invalid("base_url", "%v", err)
		}
		params.BaseUrl = pgtype.Text{String: u, Valid: true}
	}
	if req.Enabled != nil {
		params.Enabled = pgtype.Bool{Bool: req.GetEnabled(), Valid: true}
	}

	var out *aigatewayv1.Provider
	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		before, err := lockProvider(ctx, q, req.GetName())
		if err != nil {
			return err
		}
		params.ID = before.ID
		after, err := q.UpdateProvider(ctx, params)
		if err != nil {
			return internal("update provider", err)
		}
		diff := map[string]any{
			"before": map[string]any{"base_url": before.BaseUrl, "enabled": before.Enabled},
			"after":  map[string]any{"base_url": after.BaseUrl, "enabled": after.Enabled},
		}
		err = audit(ctx, q, ini.UserID, providers.AuditActionUpdate,
			providers.AuditResourceProvider, after.ID.String(), diff)
		if err != nil {
			return err
		}
		if out, err = s.get(ctx, q, "name", after.Name); err != nil {
			return err
		}
		return notify(ctx, q)
	})
	if err != nil {
		return nil, err
	}
	return &aigatewayv1.UpdateProviderResponse{Provider: out}, nil
}

// DeleteProvider soft-deletes a provider.
func (s *ProviderService) DeleteProvider(
	ctx context.Context, req *aigatewayv1.DeleteProviderRequest,
) (*aigatewayv1.DeleteProviderResponse, error) {
	ini, err := authorize(ctx, actManageProviders)
	if err != nil {
		return nil, err
	}
	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		p, err := lockProvider(ctx, q, req.GetName())
		if err != nil {
			return err
		}
		err = q.SoftDeleteProvider(ctx, db.SoftDeleteProviderParams{
			ID: p.ID, UpdatedBy: actorOf(ini.UserID),
		})
		if err != nil {
			return internal("delete provider", err)
		}
		err = audit(ctx, q, ini.UserID, providers.AuditActionDelete,
			providers.AuditResourceProvider, p.ID.String(), map[string]any{"name": p.Name})
		if err != nil {
			return err
		}
		return notify(ctx, q)
	})
	if err != nil {
		return nil, err
	}
	return &aigatewayv1.DeleteProviderResponse{}, nil
}

// get reads a live provider by name as a message.
func (s *ProviderService) get(
	ctx context.Context, q db.Querier, field, name string,
) (*aigatewayv1.Provider, error) {
	if name == "" {
		return nil, invalid(field, "a provider name is required")
	}
	row, err := q.GetProviderByName(ctx, name)
	if err == nil && row.AiProvider.Deleted {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return nil, fromStore("provider "+quote(name), err)
	}
	keys, err := q.ListProviderKeyRows(ctx, row.AiProvider.ID)
	if err != nil {
		return nil, internal("list provider keys", err)
	}
	return providerMessage(row.AiProvider, row.UpdatedByUsername, int32(len(keys))), nil
}

// lockProvider reads and locks a live provider by name.
func lockProvider(ctx context.Context, q db.Querier, name string) (db.AiProvider, error) {
	if name == "" {
		return db.AiProvider{}, invalid("name", "a provider name is required")
	}
	p, err := q.LockProvider(ctx, name)
	if err != nil {
		return p, fromStore("provider "+quote(name), err)
	}
	return p, nil
}

// specOf checks a create request and returns the provider it describes.
func specOf(req *aigatewayv1.CreateProviderRequest) (providers.Spec, error) {
	spec := providers.Spec{Name: req.GetName(), Type: providers.Type(req.GetType())}
	if !providers.ValidName(spec.Name) {
		return spec, invalid("name", "%q is not a valid provider name: use lowercase "+
			"letters, digits and single dashes", spec.Name)
	}
	if !spec.Type.Known() {
		return spec, invalid("type", "unknown provider type %q: want openai or anthropic",
			req.GetType())
	}

	spec.BaseURL = providers.DefaultBaseURL(spec.Type)
	if raw := req.GetBaseUrl(); raw != "" {
		u, err := providers.NormaliseBaseURL(raw)
		if err != nil {
			return spec, invalid("base_url", "%v", err)
		}
		spec.BaseURL = u
	}

	if len(req.GetKeys()) > providers.MaxKeys {
		return spec, invalid("keys", "%d keys; at most %d are allowed",
			len(req.GetKeys()), providers.MaxKeys)
	}
	for i, k := range req.GetKeys() {
		if k == "" {
			return spec, invalid("keys", "key %d is empty", i+1)
		}
		if slices.Contains(spec.Keys, k) {
			return spec, invalid("keys", "key %d repeats an earlier key", i+1)
		}
		spec.Keys = append(spec.Keys, k)
	}
	return spec, nil
}

func providerMessage(p db.AiProvider, updatedBy pgtype.Text, keyCount int32) *aigatewayv1.Provider {
	msg := &aigatewayv1.Provider{
		Id:        p.ID.String(),
		Name:      p.Name,
		Type:      string(p.Type),
		BaseUrl:   p.BaseUrl,
		Enabled:   p.Enabled,
		KeyCount:  keyCount,
		CreatedAt: timestamppb.New(p.CreatedAt.Time),
		UpdatedAt: timestamppb.New(p.UpdatedAt.Time),
		UpdatedBy: updatedBy.String,
	}
	if spec, err := providers.FromRow(p, nil); err == nil && spec.Bedrock != nil {
		msg.BedrockRegion = spec.Bedrock.Region
	}
	return msg
}

// actorOf returns a user id as the actor of a change.
func actorOf(id uuid.UUID) uuid.NullUUID {
	return uuid.NullUUID{UUID: id, Valid: true}
}

// audit writes an audit entry by actor; diff must hold no secret.
func audit(
	ctx context.Context, q db.Querier, actor uuid.UUID,
	action, resourceType, resourceID string, diff any,
) error {
	data, err := json.Marshal(diff)
	if err != nil {
		return internal("encode audit entry", err)
	}
	err = q.InsertAuditLog(ctx, db.InsertAuditLogParams{
		ActorID: actorOf(actor), Action: action,
		ResourceType: resourceType, ResourceID: resourceID, Diff: data,
	})
	if err != nil {
		return internal("write audit entry", err)
	}
	return nil
}

// notify announces a provider change; Postgres delivers it at commit.
func notify(ctx context.Context, q db.Querier) error {
	if err := providers.Notify(ctx, q); err != nil {
		return internal("announce provider change", err)
	}
	return nil
}

func quote(s string) string {
	return `"` + s + `"`
}
