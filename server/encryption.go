package server

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/store"
)

// EnvEncryptionKeys names the variable that holds the encryption keys.
const EnvEncryptionKeys = "CODER_AI_GATEWAY_ENCRYPTION_KEYS"

// NewCipher builds the cipher of the configured keys, the first of which
// seals. An error names a malformed key by its position, never its value.
func NewCipher(keyList string) (*dbcrypt.Cipher, error) {
	keys, err := dbcrypt.ParseKeys(keyList)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvEncryptionKeys, err)
	}
	return dbcrypt.New(keys)
}

// PrepareEncryption checks that the cipher opens every value sealed in the
// database, records the configured keys in dbcrypt_keys, and returns the
// store whose queries seal and open with the cipher. Without keys, and
// with nothing sealed, values stay plain text and it warns once.
func PrepareEncryption(
	ctx context.Context, st *store.Store, c *dbcrypt.Cipher, logger *slog.Logger,
) (*store.Store, error) {
	raw := db.New(st.Pool)
	inUse, err := raw.SealedDigestsInUse(ctx)
	if err != nil {
		return nil, fmt.Errorf("list encryption keys in use: %w", err)
	}
	var missing []string
	for _, d := range inUse {
		if !slices.Contains(c.Digests(), d) {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("the database holds values sealed by encryption keys that are "+
			"not configured (digests %s); add those keys to %s",
			strings.Join(missing, ", "), EnvEncryptionKeys)
	}

	if !c.Enabled() {
		logger.Warn("no encryption key configured: provider keys and user secrets are " +
			"stored in plain text; set " + EnvEncryptionKeys)
		return st.WithCipher(c), nil
	}
	for i, d := range c.Digests() {
		err := raw.UpsertDBCryptKey(ctx, db.UpsertDBCryptKeyParams{Digest: d, Active: i == 0})
		if err != nil {
			return nil, fmt.Errorf("record encryption key %s: %w", d, err)
		}
	}
	if err := raw.RevokeOtherDBCryptKeys(ctx, c.ActiveDigest()); err != nil {
		return nil, fmt.Errorf("revoke older encryption keys: %w", err)
	}
	logger.Info("secrets are sealed at rest", "active_key", c.ActiveDigest(),
		"keys", len(c.Digests()))
	return st.WithCipher(c), nil
}
