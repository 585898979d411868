package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/server"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestEncryptionKeysAtStart seeds a provider with a sealed key, checks that
// neither the key nor the encryption key reaches the log, and that a server
// without the encryption key refuses to start, naming the key's digest.
func TestEncryptionKeysAtStart(t *testing.T) {
	t.Parallel()

	raw := make([]byte, dbcrypt.KeySize)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	encKey := base64.StdEncoding.EncodeToString(raw)
	const providerKey = "sk-test-never-logged-0000000000000001"

	url := dbtest.NewURL(t)
	var logs syncBuffer
	r := startServer(t, url, t.TempDir(), func(c *server.Config) {
		c.EncryptionKeys = encKey
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.Environ = []string{
			"CODER_AI_GATEWAY_PROVIDER_0_TYPE=openai",
			"CODER_AI_GATEWAY_PROVIDER_0_KEY=" + providerKey,
		}
	})
	r.shutdown(t)
	require.Contains(t, logs.String(), "secrets are sealed at rest")
	require.NotContains(t, logs.String(), providerKey)
	require.NotContains(t, logs.String(), encKey)

	srv, err := server.New(server.Config{
		HTTPAddress: "127.0.0.1:0", GRPCAddress: "127.0.0.1:0",
		PostgresURL: url, DataDir: t.TempDir(),
	})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	err = srv.Run(ctx)
	require.ErrorContains(t, err, "not configured (digests "+dbcrypt.Digest(raw)+")")
	require.ErrorContains(t, err, server.EnvEncryptionKeys)
}

func TestMalformedEncryptionKey(t *testing.T) {
	t.Parallel()

	_, err := server.New(server.Config{
		HTTPAddress: "127.0.0.1:0", GRPCAddress: "127.0.0.1:0",
		DataDir: t.TempDir(), EncryptionKeys: "c2VjcmV0LXZhbHVl",
	})
	require.EqualError(t, err, server.EnvEncryptionKeys+": encryption key 1: 12 bytes, want 32")
}
