package control

import (
	"context"
	"fmt"
	"regexp"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aigateway/aigateway/gen/db"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// secretNamePattern is the user_secrets table's CHECK on names, checked here
// too so that a bad name is an invalid argument rather than a database
// error. It admits ':' so that "byok:<provider name>" is a valid name.
var secretNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._:-]{0,127}$`)

// auditResourceSecret is the resource type of audit entries about user
// secrets.
const auditResourceSecret = "user_secret"

// auditUpdate is the audit action of a changed secret value.
const auditUpdate = "update"

// The secret RPCs act on the caller's own secrets only: no role reaches
// another user's, so the requests name no user. Values go into the store,
// which seals them when it has a cipher, and never come back out through
// this service: responses and audit entries carry names and times only.

// CreateSecret stores a new secret of the caller's. A name the caller
// already uses is AlreadyExists.
func (s *UserService) CreateSecret(
	ctx context.Context, req *aigatewayv1.CreateSecretRequest,
) (*aigatewayv1.CreateSecretResponse, error) {
	msg, err := s.writeSecret(ctx, req.GetName(), req.GetValue(), auditCreate,
		func(q db.Querier, p secretParams) (db.UserSecret, error) {
			return q.InsertUserSecret(ctx, db.InsertUserSecretParams{
				UserID: p.UserID, Name: p.Name, Value: p.Value,
			})
		})
	if err != nil {
		return nil, err
	}
	return &aigatewayv1.CreateSecretResponse{Secret: msg}, nil
}

// ListSecrets lists the caller's secrets by name, without their values.
func (s *UserService) ListSecrets(
	ctx context.Context, _ *aigatewayv1.ListSecretsRequest,
) (*aigatewayv1.ListSecretsResponse, error) {
	ini, err := authorize(ctx, actManageOwnSecrets)
	if err != nil {
		return nil, err
	}

	rows, err := s.st.Queries.ListUserSecrets(ctx, ini.UserID)
	if err != nil {
		return nil, internal("list secrets", err)
	}
	resp := &aigatewayv1.ListSecretsResponse{Secrets: make([]*aigatewayv1.Secret, 0, len(rows))}
	for _, r := range rows {
		resp.Secrets = append(resp.Secrets, secretMessage(r.Name, r.CreatedAt, r.UpdatedAt))
	}
	return resp, nil
}

// UpdateSecret replaces the value of a secret of the caller's. A name the
// caller does not use is NotFound.
func (s *UserService) UpdateSecret(
	ctx context.Context, req *aigatewayv1.UpdateSecretRequest,
) (*aigatewayv1.UpdateSecretResponse, error) {
	msg, err := s.writeSecret(ctx, req.GetName(), req.GetValue(), auditUpdate,
		func(q db.Querier, p secretParams) (db.UserSecret, error) {
			return q.UpdateUserSecret(ctx, db.UpdateUserSecretParams{
				UserID: p.UserID, Name: p.Name, Value: p.Value,
			})
		})
	if err != nil {
		return nil, err
	}
	return &aigatewayv1.UpdateSecretResponse{Secret: msg}, nil
}

// secretParams are the fields both writes of a secret take.
type secretParams struct {
	UserID uuid.UUID
	Name   string
	Value  string
}

// writeSecret checks a secret, writes it for the caller with write and
// audits the action, in one transaction.
func (s *UserService) writeSecret(
	ctx context.Context, name, value, action string,
	write func(q db.Querier, p secretParams) (db.UserSecret, error),
) (*aigatewayv1.Secret, error) {
	ini, err := authorize(ctx, actManageOwnSecrets)
	if err != nil {
		return nil, err
	}
	if err := checkSecret(name, value); err != nil {
		return nil, err
	}

	var row db.UserSecret
	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		var err error
		row, err = write(q, secretParams{UserID: ini.UserID, Name: name, Value: value})
		if err != nil {
			return fromStore(fmt.Sprintf("secret %q", name), err)
		}
		diff := map[string]secretView{"after": {Name: name}}
		return audit(ctx, q, ini.UserID, action, auditResourceSecret, row.ID.String(), diff)
	})
	if err != nil {
		return nil, orInternal(action+" secret", err)
	}
	return secretMessage(row.Name, row.CreatedAt, row.UpdatedAt), nil
}

// DeleteSecret removes a secret of the caller's. A name the caller does not
// use is NotFound.
func (s *UserService) DeleteSecret(
	ctx context.Context, req *aigatewayv1.DeleteSecretRequest,
) (*aigatewayv1.DeleteSecretResponse, error) {
	ini, err := authorize(ctx, actManageOwnSecrets)
	if err != nil {
		return nil, err
	}
	name := req.GetName()
	if !secretNamePattern.MatchString(name) {
		return nil, invalidSecretName()
	}

	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		// The secret's id names it in the audit log. It is looked up in the
		// listing, which holds no values, so that a deletion never opens
		// the value it removes.
		id, err := ownSecretID(ctx, q, ini.UserID, name)
		if err != nil {
			return err
		}
		n, err := q.DeleteUserSecret(ctx, db.DeleteUserSecretParams{UserID: ini.UserID, Name: name})
		if err != nil {
			return internal("delete secret", err)
		}
		if n == 0 {
			// Deleted by a concurrent call since the lookup above.
			return notFound("secret %q: not found", name)
		}
		diff := map[string]secretView{"before": {Name: name}}
		return audit(ctx, q, ini.UserID, auditDelete, auditResourceSecret, id.String(), diff)
	})
	if err != nil {
		return nil, orInternal("delete secret", err)
	}
	return &aigatewayv1.DeleteSecretResponse{}, nil
}

// checkSecret validates a secret's name and value.
func checkSecret(name, value string) error {
	if !secretNamePattern.MatchString(name) {
		return invalidSecretName()
	}
	if value == "" {
		return invalid("value", "is required")
	}
	return nil
}

func invalidSecretName() *Error {
	return invalid("name", "must be 1 to 128 letters, digits, '.', '_', ':' or '-', "+
		"starting with a letter or digit")
}

// ownSecretID returns the id of the user's secret called name, or NotFound.
func ownSecretID(
	ctx context.Context, q db.Querier, user uuid.UUID, name string,
) (uuid.UUID, error) {
	rows, err := q.ListUserSecrets(ctx, user)
	if err != nil {
		return uuid.Nil, internal("list secrets", err)
	}
	for _, r := range rows {
		if r.Name == name {
			return r.ID, nil
		}
	}
	return uuid.Nil, notFound("secret %q: not found", name)
}

func secretMessage(name string, created, updated pgtype.Timestamptz) *aigatewayv1.Secret {
	return &aigatewayv1.Secret{
		Name:      name,
		CreatedAt: timestamp(created),
		UpdatedAt: timestamp(updated),
	}
}

// secretView is a secret as an audit entry shows it: its name, never its
// value.
type secretView struct {
	Name string `json:"name"`
}
