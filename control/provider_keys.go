package control

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/aigateway/aigateway/gen/db"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/providers"
)

// AddProviderKey appends a key to a provider's pool.
func (s *ProviderService) AddProviderKey(
	ctx context.Context, req *aigatewayv1.AddProviderKeyRequest,
) (*aigatewayv1.AddProviderKeyResponse, error) {
	ini, err := authorize(ctx, actManageProviders)
	if err != nil {
		return nil, err
	}
	if req.GetKey() == "" {
		return nil, invalid("key", "the key is empty")
	}

	var out *aigatewayv1.ProviderKey
	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		p, err := lockProvider(ctx, q, req.GetProvider())
		if err != nil {
			return err
		}
		keys, err := q.ListProviderKeyRows(ctx, p.ID)
		if err != nil {
			return internal("list provider keys", err)
		}
		if len(keys) >= providers.MaxKeys {
			return precondition("provider %q holds %d keys already, the most allowed; "+
				"remove one first", p.Name, len(keys))
		}
		for _, k := range keys {
			if k.Key == req.GetKey() {
				return alreadyExists("provider %q holds this key already (id %s)", p.Name, k.ID)
			}
		}

		row, err := q.InsertProviderKeyRow(ctx, db.InsertProviderKeyRowParams{
			ProviderID: p.ID, Key: req.GetKey(),
		})
		if err != nil {
			return internal("add provider key", err)
		}
		out = keyMessage(row)
		return s.keysChanged(ctx, q, ini.UserID, p, providers.AuditActionCreate, out)
	})
	if err != nil {
		return nil, err
	}
	return &aigatewayv1.AddProviderKeyResponse{Key: out}, nil
}

// RemoveProviderKey removes a key from a provider's pool.
func (s *ProviderService) RemoveProviderKey(
	ctx context.Context, req *aigatewayv1.RemoveProviderKeyRequest,
) (*aigatewayv1.RemoveProviderKeyResponse, error) {
	ini, err := authorize(ctx, actManageProviders)
	if err != nil {
		return nil, err
	}
	keyID, err := uuid.Parse(req.GetKeyId())
	if err != nil {
		return nil, invalid("key_id", "%q is not a key id", req.GetKeyId())
	}

	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		p, err := lockProvider(ctx, q, req.GetProvider())
		if err != nil {
			return err
		}
		row, err := q.DeleteProviderKey(ctx, db.DeleteProviderKeyParams{ID: keyID, ProviderID: p.ID})
		if err != nil {
			return fromStore("key "+keyID.String()+" of provider "+quote(p.Name), err)
		}
		return s.keysChanged(ctx, q, ini.UserID, p, providers.AuditActionDelete, keyMessage(row))
	})
	if err != nil {
		return nil, err
	}
	return &aigatewayv1.RemoveProviderKeyResponse{}, nil
}

// ListProviderKeys lists a provider's keys as masked hints.
func (s *ProviderService) ListProviderKeys(
	ctx context.Context, req *aigatewayv1.ListProviderKeysRequest,
) (*aigatewayv1.ListProviderKeysResponse, error) {
	if _, err := authorize(ctx, actReadProviders); err != nil {
		return nil, err
	}
	p, err := s.get(ctx, s.st.Queries, "provider", req.GetProvider())
	if err != nil {
		return nil, err
	}
	rows, err := s.st.Queries.ListProviderKeyRows(ctx, uuid.MustParse(p.GetId()))
	if err != nil {
		return nil, internal("list provider keys", err)
	}
	resp := &aigatewayv1.ListProviderKeysResponse{}
	for _, r := range rows {
		resp.Keys = append(resp.Keys, keyMessage(r))
	}
	return resp, nil
}

// GetProviderHealth reports the provider's key and breaker states on this
// server.
func (s *ProviderService) GetProviderHealth(
	ctx context.Context, req *aigatewayv1.GetProviderHealthRequest,
) (*aigatewayv1.GetProviderHealthResponse, error) {
	if _, err := authorize(ctx, actReadProviders); err != nil {
		return nil, err
	}
	if _, err := s.get(ctx, s.st.Queries, "provider", req.GetProvider()); err != nil {
		return nil, err
	}
	resp := &aigatewayv1.GetProviderHealthResponse{}
	if s.health == nil {
		return resp, nil
	}

	keys, breakers := s.health.ProviderHealth(req.GetProvider())
	for _, k := range keys {
		kh := &aigatewayv1.KeyHealth{
			Hint: k.Hint, State: k.State.String(), Reason: string(k.Reason),
		}
		if !k.Since.IsZero() {
			kh.Since = timestamppb.New(k.Since)
		}
		if !k.Until.IsZero() {
			kh.Until = timestamppb.New(k.Until)
		}
		resp.Keys = append(resp.Keys, kh)
	}
	for _, b := range breakers {
		resp.Breakers = append(resp.Breakers, &aigatewayv1.BreakerHealth{
			Endpoint: b.Endpoint, Model: b.Model, State: b.State,
			ConsecutiveFailures: b.ConsecutiveFailures,
		})
	}
	return resp, nil
}

// keysChanged audits a key change, marks the provider changed and
// announces it.
func (s *ProviderService) keysChanged(
	ctx context.Context, q db.Querier, actor uuid.UUID, p db.AiProvider,
	action string, key *aigatewayv1.ProviderKey,
) error {
	err := q.TouchProvider(ctx, db.TouchProviderParams{ID: p.ID, UpdatedBy: actorOf(actor)})
	if err != nil {
		return internal("mark provider changed", err)
	}
	diff := map[string]any{"provider": p.Name, "position": key.GetPosition(), "hint": key.GetHint()}
	err = audit(ctx, q, actor, action, providers.AuditResourceProviderKey, key.GetId(), diff)
	if err != nil {
		return err
	}
	return notify(ctx, q)
}

func keyMessage(k db.AiProviderKey) *aigatewayv1.ProviderKey {
	return &aigatewayv1.ProviderKey{
		Id:        k.ID.String(),
		Position:  k.Position,
		Hint:      keyfailover.Mask(k.Key),
		CreatedAt: timestamppb.New(k.CreatedAt.Time),
	}
}
