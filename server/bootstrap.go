package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aigateway/aigateway/apitoken"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/store"
)

// AdminUsername is the name of the owner made at first start.
const AdminUsername = "admin"

// AdminTokenFile is the name, in the data directory, of the file that holds
// the first owner's token.
const AdminTokenFile = "admin.token"

// Bootstrap makes, on a database without users, an owner named admin and
// writes its token to <dataDir>/admin.token. It returns the file's path, or
// "" when users existed already. It runs under an advisory lock, so servers
// that start at once make one owner.
func Bootstrap(ctx context.Context, st *store.Store, dataDir string) (string, error) {
	var path string
	err := st.WithAdvisoryLock(ctx, store.LockBootstrap, func(_ pgx.Tx, q db.Querier) error {
		n, err := q.CountUsers(ctx)
		if err != nil {
			return fmt.Errorf("count users: %w", err)
		}
		if n > 0 {
			return nil
		}

		owner, err := q.InsertUser(ctx, db.InsertUserParams{
			Username: AdminUsername, Role: db.UserRoleOwner,
		})
		if err != nil {
			return fmt.Errorf("create owner: %w", store.MapError(err))
		}
		path, err = issueTokenFile(ctx, q, owner.ID, dataDir)
		return err
	})
	return path, err
}

// IssueAdminToken issues a new token for the first owner (made when no
// owner exists) and writes it to <dataDir>/admin.token. It returns the
// file's path.
func IssueAdminToken(ctx context.Context, st *store.Store, dataDir string) (string, error) {
	var path string
	err := st.WithAdvisoryLock(ctx, store.LockBootstrap, func(_ pgx.Tx, q db.Querier) error {
		owner, err := q.GetOwner(ctx)
		if errors.Is(store.MapError(err), store.ErrNotFound) {
			owner, err = q.InsertUser(ctx, db.InsertUserParams{
				Username: AdminUsername, Role: db.UserRoleOwner,
			})
		}
		if err != nil {
			return fmt.Errorf("find owner: %w", store.MapError(err))
		}
		path, err = issueTokenFile(ctx, q, owner.ID, dataDir)
		return err
	})
	return path, err
}

// issueTokenFile issues a token for userID and writes it to the admin token
// file. The file is written before the transaction commits, so a failed
// write leaves no token behind.
func issueTokenFile(
	ctx context.Context, q db.Querier, userID uuid.UUID, dataDir string,
) (string, error) {
	tok, err := apitoken.New()
	if err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	_, err = q.InsertAPIToken(ctx, db.InsertAPITokenParams{
		ID: tok.ID, UserID: userID, HashedSecret: tok.Hash(),
	})
	if err != nil {
		return "", fmt.Errorf("store token: %w", err)
	}

	path := filepath.Join(dataDir, AdminTokenFile)
	if err := writeSecretFile(path, []byte(tok.String()+"\n")); err != nil {
		return "", err
	}
	return path, nil
}

// writeSecretFile replaces path with data, readable by its owner only.
func writeSecretFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())

	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
