package server_test

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/dbtest"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/server"
)

// TestBYOKFromStoredSecret stores a provider key as a user secret over
// gRPC on a server with an encryption key, then sends a BYOK request with
// the governance header only: the upstream gets the stored key, the
// database holds it sealed, and neither the client's answer nor the log
// carries it.
func TestBYOKFromStoredSecret(t *testing.T) {
	t.Parallel()

	const storedKey = "sk-stored-in-gateway-00000000000000001"
	f := loadFixture(t, "blocking_text")
	var (
		mu   sync.Mutex
		seen []string
	)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(f.Response)
	}))
	t.Cleanup(up.Close)

	raw := make([]byte, dbcrypt.KeySize)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	url := dbtest.NewURL(t)
	var logs syncBuffer
	r := startServer(t, url, t.TempDir(), func(c *server.Config) {
		c.EncryptionKeys = base64.StdEncoding.EncodeToString(raw)
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.Environ = []string{
			"CODER_AI_GATEWAY_PROVIDER_0_TYPE=openai",
			"CODER_AI_GATEWAY_PROVIDER_0_KEY=sk-central-unused-000000000000000001",
			"CODER_AI_GATEWAY_PROVIDER_0_BASE_URL=" + up.URL + "/v1",
		}
	})
	token, err := os.ReadFile(filepath.Join(r.dir, server.AdminTokenFile))
	require.NoError(t, err)
	admin := strings.TrimSpace(string(token))

	c := dial(t, r, admin)
	_, err = c.Users.CreateSecret(t.Context(), &aigatewayv1.CreateSecretRequest{
		Name: bridge.BYOKSecretName("openai"), Value: storedKey,
	})
	require.NoError(t, err)

	conn, err := pgx.Connect(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(t.Context()) })
	var stored string
	err = conn.QueryRow(t.Context(), "SELECT value FROM user_secrets").Scan(&stored)
	require.NoError(t, err)
	require.NotContains(t, stored, storedKey)
	_, sealed := dbcrypt.IsSealed(stored)
	require.True(t, sealed, "the database holds the secret sealed")

	req, err := http.NewRequest(http.MethodPost,
		"http://"+r.srv.HTTPAddr()+"/api/v2/ai-gateway/openai/v1/chat/completions",
		strings.NewReader(string(f.Request)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(bridge.HeaderGovernanceToken, admin)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	require.Equal(t, string(f.Response), string(body))
	for _, vs := range resp.Header {
		for _, v := range vs {
			require.NotContains(t, v, storedKey)
		}
	}

	mu.Lock()
	require.Equal(t, []string{"Bearer " + storedKey}, seen)
	mu.Unlock()
	r.shutdown(t)
	require.NotContains(t, logs.String(), storedKey)
}
