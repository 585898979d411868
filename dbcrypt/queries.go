package dbcrypt

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/aigateway/aigateway/gen/db"
)

// Purposes bind sealed values to the column that stores them.
const (
	PurposeProviderKey    = "ai_provider_keys.key"
	PurposeBedrockKey     = "ai_providers.settings.bedrock.access_key"
	PurposeBedrockSecret  = "ai_providers.settings.bedrock.secret"
	PurposeUserSecretData = "user_secrets.value"
)

// Queries wraps the generated queries: the ones that write a secret seal
// it, the ones that read one open it. Every other query passes through.
type Queries struct {
	db.Querier
	c *Cipher
}

// Wrap returns q with sealing and opening by c.
func Wrap(q db.Querier, c *Cipher) *Queries {
	return &Queries{Querier: q, c: c}
}

// InsertProvider seals the Bedrock credentials of the settings.
func (q *Queries) InsertProvider(
	ctx context.Context, arg db.InsertProviderParams,
) (db.AiProvider, error) {
	settings, err := mapSettings(arg.Settings, q.c.Seal)
	if err != nil {
		return db.AiProvider{}, err
	}
	arg.Settings = settings
	row, err := q.Querier.InsertProvider(ctx, arg)
	return q.provider(row, err)
}

// GetProviderByName opens the Bedrock credentials of the settings.
func (q *Queries) GetProviderByName(
	ctx context.Context, name string,
) (db.GetProviderByNameRow, error) {
	row, err := q.Querier.GetProviderByName(ctx, name)
	row.AiProvider, err = q.provider(row.AiProvider, err)
	return row, err
}

// LockProvider opens the Bedrock credentials of the settings.
func (q *Queries) LockProvider(ctx context.Context, name string) (db.AiProvider, error) {
	return q.provider(q.Querier.LockProvider(ctx, name))
}

// UpdateProvider opens the Bedrock credentials of the settings.
func (q *Queries) UpdateProvider(
	ctx context.Context, arg db.UpdateProviderParams,
) (db.AiProvider, error) {
	return q.provider(q.Querier.UpdateProvider(ctx, arg))
}

// ListProviders opens the Bedrock credentials of the settings.
func (q *Queries) ListProviders(ctx context.Context) ([]db.ListProvidersRow, error) {
	rows, err := q.Querier.ListProviders(ctx)
	for i := range rows {
		if err != nil {
			break
		}
		rows[i].AiProvider, err = q.provider(rows[i].AiProvider, nil)
	}
	return rows, err
}

// ListProvidersWithKeys opens the keys and the Bedrock credentials.
func (q *Queries) ListProvidersWithKeys(
	ctx context.Context,
) ([]db.ListProvidersWithKeysRow, error) {
	rows, err := q.Querier.ListProvidersWithKeys(ctx)
	for i := range rows {
		if err != nil {
			break
		}
		rows[i].AiProvider, err = q.provider(rows[i].AiProvider, nil)
		for j := range rows[i].Keys {
			if err != nil {
				break
			}
			rows[i].Keys[j], err = q.c.Open(PurposeProviderKey, rows[i].Keys[j])
		}
	}
	return rows, err
}

// InsertProviderKey seals the key.
func (q *Queries) InsertProviderKey(ctx context.Context, arg db.InsertProviderKeyParams) error {
	var err error
	if arg.Key, err = q.c.Seal(PurposeProviderKey, arg.Key); err != nil {
		return err
	}
	return q.Querier.InsertProviderKey(ctx, arg)
}

// InsertProviderKeyRow seals the key and opens the returned row.
func (q *Queries) InsertProviderKeyRow(
	ctx context.Context, arg db.InsertProviderKeyRowParams,
) (db.AiProviderKey, error) {
	var err error
	if arg.Key, err = q.c.Seal(PurposeProviderKey, arg.Key); err != nil {
		return db.AiProviderKey{}, err
	}
	return q.key(q.Querier.InsertProviderKeyRow(ctx, arg))
}

// DeleteProviderKey opens the removed key.
func (q *Queries) DeleteProviderKey(
	ctx context.Context, arg db.DeleteProviderKeyParams,
) (db.AiProviderKey, error) {
	return q.key(q.Querier.DeleteProviderKey(ctx, arg))
}

// ListProviderKeys opens the keys.
func (q *Queries) ListProviderKeys(ctx context.Context, providerID uuid.UUID) ([]string, error) {
	keys, err := q.Querier.ListProviderKeys(ctx, providerID)
	for i := range keys {
		if err != nil {
			break
		}
		keys[i], err = q.c.Open(PurposeProviderKey, keys[i])
	}
	return keys, err
}

// ListProviderKeyRows opens the keys.
func (q *Queries) ListProviderKeyRows(
	ctx context.Context, providerID uuid.UUID,
) ([]db.AiProviderKey, error) {
	rows, err := q.Querier.ListProviderKeyRows(ctx, providerID)
	for i := range rows {
		if err != nil {
			break
		}
		rows[i], err = q.key(rows[i], nil)
	}
	return rows, err
}

// InsertUserSecret seals the value.
func (q *Queries) InsertUserSecret(
	ctx context.Context, arg db.InsertUserSecretParams,
) (db.UserSecret, error) {
	var err error
	if arg.Value, err = q.c.Seal(PurposeUserSecretData, arg.Value); err != nil {
		return db.UserSecret{}, err
	}
	return q.secret(q.Querier.InsertUserSecret(ctx, arg))
}

// UpdateUserSecret seals the value.
func (q *Queries) UpdateUserSecret(
	ctx context.Context, arg db.UpdateUserSecretParams,
) (db.UserSecret, error) {
	var err error
	if arg.Value, err = q.c.Seal(PurposeUserSecretData, arg.Value); err != nil {
		return db.UserSecret{}, err
	}
	return q.secret(q.Querier.UpdateUserSecret(ctx, arg))
}

// GetUserSecret opens the value.
func (q *Queries) GetUserSecret(
	ctx context.Context, arg db.GetUserSecretParams,
) (db.UserSecret, error) {
	return q.secret(q.Querier.GetUserSecret(ctx, arg))
}

func (q *Queries) key(row db.AiProviderKey, err error) (db.AiProviderKey, error) {
	if err != nil {
		return row, err
	}
	row.Key, err = q.c.Open(PurposeProviderKey, row.Key)
	return row, err
}

func (q *Queries) secret(row db.UserSecret, err error) (db.UserSecret, error) {
	if err != nil {
		return row, err
	}
	row.Value, err = q.c.Open(PurposeUserSecretData, row.Value)
	return row, err
}

func (q *Queries) provider(row db.AiProvider, err error) (db.AiProvider, error) {
	if err != nil {
		return row, err
	}
	row.Settings, err = mapSettings(row.Settings, q.c.Open)
	return row, err
}

// mapSettings applies fn to the Bedrock credentials of a provider's
// settings and leaves the rest of the document as it is.
func mapSettings(raw []byte, fn func(purpose, value string) (string, error)) ([]byte, error) {
	return editCredentials(raw, func(creds []credential) ([]credential, error) {
		for _, c := range creds {
			for field, purpose := range credentialPurposes {
				v, err := fn(purpose, c[field])
				if err != nil {
					return nil, err
				}
				c[field] = v
			}
		}
		return creds, nil
	})
}

// credential is one Bedrock credential pair of a provider's settings.
type credential = map[string]string

// credentialPurposes maps the fields of a Bedrock credential pair to their
// purposes.
var credentialPurposes = map[string]string{
	"access_key": PurposeBedrockKey,
	"secret":     PurposeBedrockSecret,
}

// editCredentials rewrites the Bedrock credential pairs of a provider's
// settings with edit. Settings without credentials come back unchanged.
func editCredentials(
	raw []byte, edit func([]credential) ([]credential, error),
) ([]byte, error) {
	var doc map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &doc) != nil || doc["bedrock"] == nil {
		return raw, nil
	}
	var bedrock map[string]json.RawMessage
	if err := json.Unmarshal(doc["bedrock"], &bedrock); err != nil || bedrock["credentials"] == nil {
		return raw, nil
	}
	var creds []credential
	if err := json.Unmarshal(bedrock["credentials"], &creds); err != nil {
		return nil, fmt.Errorf("read bedrock credentials: %w", err)
	}

	creds, err := edit(creds)
	if err != nil {
		return nil, err
	}
	if bedrock["credentials"], err = json.Marshal(creds); err != nil {
		return nil, err
	}
	if doc["bedrock"], err = json.Marshal(bedrock); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}
