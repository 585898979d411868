package providers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/store"
)

// KeysCommand is the command that manages the keys of a stored provider.
// Key drift warnings point operators to it.
const KeysCommand = "aigateway providers keys add|remove"

// ConflictError reports a provider whose stored row differs from the
// environment in the fields that decide its behaviour. It names the fields,
// never their values.
type ConflictError struct {
	// Provider is the provider's name.
	Provider string
	// Fields are the canonical fields that differ, as Spec.Diff names them.
	Fields []string
	// UpdatedBy is the name of the user who last changed the row, "" for
	// the system actor.
	UpdatedBy string
	// UpdatedAt is when the row last changed.
	UpdatedAt time.Time
}

// Error names the provider, the fields, who changed the row and when, and
// the ways to resolve the conflict.
func (e *ConflictError) Error() string {
	who := "the system (env seed)"
	if e.UpdatedBy != "" {
		who = "user " + e.UpdatedBy
	}
	return fmt.Sprintf("provider %q differs between the environment and the database in %s "+
		"(the row was last changed by %s at %s); to resolve, make the provider's "+
		"environment variables match the database or remove them, which keeps the "+
		"database version, or change the stored provider to match the environment "+
		"through the control plane",
		e.Provider, strings.Join(e.Fields, ", "), who, e.UpdatedAt.UTC().Format(time.RFC3339))
}

// Seed reconciles the providers of env with the ai_providers table. It runs
// in one transaction under the advisory lock store.LockProviderSeed, so that
// servers starting at once against one database insert each provider once.
//
// For each provider of env, in order:
//   - a type the gateway does not serve is skipped, with a warning;
//   - a missing provider is inserted, enabled, with its keys in order and an
//     audit entry by the system actor;
//   - a soft-deleted row is left deleted, with a warning;
//   - a row with a different canonical hash is a *ConflictError;
//   - a row with the same hash is left alone, with a warning when the keys
//     in the environment differ from the stored ones.
//
// Every conflict is reported, joined into one error; on error nothing is
// written. When providers were inserted, Seed notifies ChangedChannel. Keys
// never reach the log.
func Seed(ctx context.Context, st *store.Store, env EnvConfig, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	var inserted []Spec
	err := st.WithAdvisoryLock(ctx, store.LockProviderSeed, func(_ pgx.Tx, q db.Querier) error {
		inserted = nil
		var errs []error
		for _, spec := range env.Providers {
			created, err := seedOne(ctx, q, spec, logger)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if created {
				inserted = append(inserted, spec)
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}

		if len(inserted) == 0 {
			return nil
		}
		return Notify(ctx, q)
	})
	if err != nil {
		return fmt.Errorf("seed providers: %w", err)
	}

	// Inserts are logged once committed, so that the log never reports a
	// provider that a failed seed rolled back.
	for _, spec := range inserted {
		logger.Info("provider created from the environment",
			"provider", spec.Name, "type", spec.Type, "keys", len(spec.Keys))
	}
	return nil
}

// seedOne reconciles one provider and reports whether it inserted it.
func seedOne(ctx context.Context, q db.Querier, spec Spec, logger *slog.Logger) (bool, error) {
	log := logger.With("provider", spec.Name)
	if !spec.Type.Known() {
		log.Warn("provider skipped: the gateway does not serve its type yet", "type", spec.Type)
		return false, nil
	}

	found, err := q.GetProviderByName(ctx, spec.Name)
	if errors.Is(store.MapError(err), store.ErrNotFound) {
		return true, insertProvider(ctx, q, spec)
	}
	if err != nil {
		return false, fmt.Errorf("read provider %q: %w", spec.Name, err)
	}

	row := found.AiProvider
	if row.Deleted {
		log.Warn("provider not recreated: it was deleted in the database; " +
			"remove its environment variables to silence this warning")
		return false, nil
	}

	stored, err := specFromRow(row, nil)
	if err != nil {
		return false, err
	}
	if stored.Hash() != spec.Hash() {
		return false, &ConflictError{
			Provider:  spec.Name,
			Fields:    stored.Diff(spec),
			UpdatedBy: found.UpdatedByUsername.String,
			UpdatedAt: row.UpdatedAt.Time,
		}
	}

	// Keys may be rotated through the API without a restart, so a
	// difference is worth a warning but never a failure. A provider whose
	// environment sets no keys leaves them to the API entirely.
	if spec.KeysVar == "" {
		return false, nil
	}
	keys, err := q.ListProviderKeys(ctx, row.ID)
	if err != nil {
		return false, fmt.Errorf("read keys of provider %q: %w", spec.Name, err)
	}
	if !slices.Equal(keys, spec.Keys) {
		log.Warn("provider keys differ from the environment; the stored keys are used",
			"variable", spec.KeysVar, "env_keys", len(spec.Keys), "stored_keys", len(keys),
			"manage_with", KeysCommand)
	}
	return false, nil
}

// insertProvider stores a provider of the environment, by the system actor.
func insertProvider(ctx context.Context, q db.Querier, spec Spec) error {
	_, err := Insert(ctx, q, spec, uuid.NullUUID{})
	return err
}

// Insert stores a new provider with its keys, in order, and its audit
// entry by actor (the system actor when not valid). It returns
// ErrInvalidName or ErrTooManyKeys for a spec the table must not hold, and
// an error wrapping store.ErrAlreadyExists when the name is taken, also by
// a deleted provider.
func Insert(ctx context.Context, q db.Querier, spec Spec, actor uuid.NullUUID) (db.AiProvider, error) {
	if !ValidName(spec.Name) {
		return db.AiProvider{}, fmt.Errorf("provider %q: %w", spec.Name, ErrInvalidName)
	}
	if len(spec.Keys) > MaxKeys {
		return db.AiProvider{}, fmt.Errorf("provider %q: %d keys: %w",
			spec.Name, len(spec.Keys), ErrTooManyKeys)
	}
	settings, err := encodeSettings(spec)
	if err != nil {
		return db.AiProvider{}, fmt.Errorf("provider %q: %w", spec.Name, err)
	}

	row, err := q.InsertProvider(ctx, db.InsertProviderParams{
		Name:      spec.Name,
		Type:      db.AiProviderType(spec.Type),
		BaseUrl:   spec.canonicalBaseURL(),
		Settings:  settings,
		UpdatedBy: actor,
	})
	if err != nil {
		return db.AiProvider{}, fmt.Errorf("insert provider %q: %w", spec.Name, store.MapError(err))
	}
	for i, key := range spec.Keys {
		err := q.InsertProviderKey(ctx, db.InsertProviderKeyParams{
			ProviderID: row.ID, Position: int32(i), Key: key,
		})
		if err != nil {
			return db.AiProvider{}, fmt.Errorf("insert key %d of provider %q: %w", i, spec.Name, err)
		}
	}

	diff, err := createDiff(spec)
	if err != nil {
		return db.AiProvider{}, fmt.Errorf("provider %q: %w", spec.Name, err)
	}
	err = q.InsertAuditLog(ctx, db.InsertAuditLogParams{
		ActorID:      actor,
		Action:       AuditActionCreate,
		ResourceType: AuditResourceProvider,
		ResourceID:   row.ID.String(),
		Diff:         diff,
	})
	if err != nil {
		return db.AiProvider{}, fmt.Errorf("audit provider %q: %w", spec.Name, err)
	}
	return row, nil
}
