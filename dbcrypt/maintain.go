package dbcrypt

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/aigateway/aigateway/gen/db"
)

// Operation is a maintenance pass over every sealed column.
type Operation int

// The operations.
const (
	// Rotate seals every value with the active key, plain values included.
	Rotate Operation = iota
	// Decrypt turns every sealed value back into plain text.
	Decrypt
	// Delete removes every sealed value: provider keys and user secrets
	// rows, and sealed Bedrock credentials from provider settings.
	Delete
)

// String names the operation.
func (o Operation) String() string {
	return [...]string{"rotate", "decrypt", "delete"}[o]
}

// Progress counts the rows of one table a pass has seen so far.
type Progress struct {
	Table   string
	Scanned int
	Changed int
}

// batchSize is how many rows a pass reads at a time. Each row changes in a
// statement of its own, so running servers never wait long on a lock.
const batchSize = 100

// Maintain runs op over every sealed column, batch by batch, reporting
// after each batch. It can be stopped and run again: rows already done are
// left as they are. q must be the raw generated queries, not a Queries
// wrapper, since it reads and writes sealed values.
func Maintain(
	ctx context.Context, q db.Querier, c *Cipher, op Operation, report func(Progress),
) ([]Progress, error) {
	if op == Rotate && !c.Enabled() {
		return nil, errors.New("rotate needs an encryption key")
	}
	var totals []Progress
	for _, col := range columns(q) {
		p, err := col.run(ctx, c, op, report)
		totals = append(totals, p)
		if err != nil {
			return totals, fmt.Errorf("%s %s: %w", op, col.table, err)
		}
	}
	return totals, nil
}

// column is one sealed column and how to page through it.
type column struct {
	table   string
	purpose string
	list    func(ctx context.Context, after uuid.UUID) ([]row, error)
	set     func(ctx context.Context, id uuid.UUID, old, new []byte) (int64, error)
	del     func(ctx context.Context, id uuid.UUID, old []byte) (int64, error)
}

type row struct {
	id    uuid.UUID
	value []byte
}

func (col column) run(
	ctx context.Context, c *Cipher, op Operation, report func(Progress),
) (Progress, error) {
	p := Progress{Table: col.table}
	after := uuid.Nil
	for {
		rows, err := col.list(ctx, after)
		if err != nil {
			return p, err
		}
		for _, r := range rows {
			after = r.id
			changed, err := col.apply(ctx, c, op, r)
			if err != nil {
				return p, err
			}
			p.Scanned++
			if changed {
				p.Changed++
			}
		}
		if report != nil {
			report(p)
		}
		if len(rows) < batchSize {
			return p, nil
		}
	}
}

// apply changes one row; a row changed meanwhile by someone else is left
// alone, as its new value came from a server using the current keys.
func (col column) apply(ctx context.Context, c *Cipher, op Operation, r row) (bool, error) {
	if col.purpose == "" {
		return col.applySettings(ctx, c, op, r)
	}
	value := string(r.value)
	_, sealed := IsSealed(value)
	if op == Delete {
		if !sealed {
			return false, nil
		}
		n, err := col.del(ctx, r.id, r.value)
		return n > 0, err
	}

	next, err := transform(c, op, col.purpose, value)
	if err != nil || next == value {
		return false, err
	}
	n, err := col.set(ctx, r.id, r.value, []byte(next))
	return n > 0, err
}

func (col column) applySettings(ctx context.Context, c *Cipher, op Operation, r row) (bool, error) {
	changed := false
	var next []byte
	var err error
	if op == Delete {
		next, err = editCredentials(r.value, func(creds []credential) ([]credential, error) {
			kept := creds[:0]
			for _, cred := range creds {
				_, keySealed := IsSealed(cred["access_key"])
				_, secretSealed := IsSealed(cred["secret"])
				if keySealed || secretSealed {
					changed = true
					continue
				}
				kept = append(kept, cred)
			}
			return kept, nil
		})
	} else {
		next, err = mapSettings(r.value, func(purpose, v string) (string, error) {
			out, err := transform(c, op, purpose, v)
			changed = changed || out != v
			return out, err
		})
	}
	if err != nil || !changed {
		return false, err
	}
	n, err := col.set(ctx, r.id, r.value, next)
	return n > 0, err
}

// transform returns a value as op leaves it.
func transform(c *Cipher, op Operation, purpose, value string) (string, error) {
	digest, sealed := IsSealed(value)
	if op == Rotate && sealed && digest == c.ActiveDigest() {
		return value, nil
	}
	if op == Decrypt && !sealed {
		return value, nil
	}
	plain, err := c.Open(purpose, value)
	if err != nil {
		return "", err
	}
	if op == Decrypt {
		return plain, nil
	}
	return c.Seal(purpose, plain)
}

func columns(q db.Querier) []column {
	return []column{
		{
			table: "ai_provider_keys", purpose: PurposeProviderKey,
			list: func(ctx context.Context, after uuid.UUID) ([]row, error) {
				rs, err := q.ListProviderKeyValues(ctx, db.ListProviderKeyValuesParams{
					After: after, PageSize: batchSize,
				})
				out := make([]row, len(rs))
				for i, r := range rs {
					out[i] = row{r.ID, []byte(r.Key)}
				}
				return out, err
			},
			set: func(ctx context.Context, id uuid.UUID, old, new []byte) (int64, error) {
				return q.SetProviderKeyValue(ctx, db.SetProviderKeyValueParams{
					ID: id, Old: string(old), New: string(new),
				})
			},
			del: func(ctx context.Context, id uuid.UUID, old []byte) (int64, error) {
				return q.DeleteProviderKeyRow(ctx, db.DeleteProviderKeyRowParams{ID: id, Old: string(old)})
			},
		},
		{
			table: "user_secrets", purpose: PurposeUserSecretData,
			list: func(ctx context.Context, after uuid.UUID) ([]row, error) {
				rs, err := q.ListUserSecretValues(ctx, db.ListUserSecretValuesParams{
					After: after, PageSize: batchSize,
				})
				out := make([]row, len(rs))
				for i, r := range rs {
					out[i] = row{r.ID, []byte(r.Value)}
				}
				return out, err
			},
			set: func(ctx context.Context, id uuid.UUID, old, new []byte) (int64, error) {
				return q.SetUserSecretValue(ctx, db.SetUserSecretValueParams{
					ID: id, Old: string(old), New: string(new),
				})
			},
			del: func(ctx context.Context, id uuid.UUID, old []byte) (int64, error) {
				return q.DeleteUserSecretRow(ctx, db.DeleteUserSecretRowParams{ID: id, Old: string(old)})
			},
		},
		{
			table: "ai_providers.settings",
			list: func(ctx context.Context, after uuid.UUID) ([]row, error) {
				rs, err := q.ListProviderSettings(ctx, db.ListProviderSettingsParams{
					After: after, PageSize: batchSize,
				})
				out := make([]row, len(rs))
				for i, r := range rs {
					out[i] = row{r.ID, r.Settings}
				}
				return out, err
			},
			set: func(ctx context.Context, id uuid.UUID, old, new []byte) (int64, error) {
				return q.SetProviderSettings(ctx, db.SetProviderSettingsParams{ID: id, Old: old, New: new})
			},
		},
	}
}
