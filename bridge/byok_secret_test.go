package bridge_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/recorder"
	"github.com/aigateway/aigateway/store"
)

// Keys that users keep in the gateway as "byok:<provider name>" secrets.
const (
	storedAnthropicKey = "sk-ant-stored-user-key-000000000000001"
	storedOpenAIKey    = "sk-stored-user-openai-key-00000000001"
)

// storedCases are the BYOK cases whose key comes from the user's secret:
// header and value say how the upstream must receive it.
var storedCases = []byokCase{
	{
		name: "Anthropic", provider: "anthropic", fixture: "Messages",
		header: "X-Api-Key", value: storedAnthropicKey, key: storedAnthropicKey,
	},
	{
		name: "OpenAI", provider: "openai", fixture: "ChatCompletions",
		header: "Authorization", value: "Bearer " + storedOpenAIKey, key: storedOpenAIKey,
	},
}

// storeSecrets is a bridge.Secrets over a store, as the server's is. The
// store is set once the gateway's database exists.
type storeSecrets struct {
	st atomic.Pointer[store.Store]
}

func (s *storeSecrets) UserSecret(
	ctx context.Context, userID uuid.UUID, name string,
) (string, bool, error) {
	row, err := s.st.Load().Queries.GetUserSecret(ctx, db.GetUserSecretParams{
		UserID: userID, Name: name,
	})
	if errors.Is(store.MapError(err), store.ErrNotFound) {
		return "", false, nil
	}
	return row.Value, err == nil, err
}

// failingSecrets is a bridge.Secrets whose lookups fail.
type failingSecrets struct{}

func (failingSecrets) UserSecret(context.Context, uuid.UUID, string) (string, bool, error) {
	return "", false, errors.New("connection refused")
}

// vault is a gateway whose store seals users' secrets with a random key.
type vault struct {
	*gateway
	sealed *store.Store
}

func setupVault(t *testing.T, tweak ...func(*bridge.Options)) *vault {
	t.Helper()

	secrets := &storeSecrets{}
	withSecrets := func(o *bridge.Options) { o.Secrets = secrets }
	g := setup(t, append([]func(*bridge.Options){withSecrets}, tweak...)...)

	raw := make([]byte, dbcrypt.KeySize)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	c, err := dbcrypt.New([][]byte{raw})
	require.NoError(t, err)
	sealed := g.st.WithCipher(c)
	secrets.st.Store(sealed)
	return &vault{gateway: g, sealed: sealed}
}

// keep stores a secret of user through the sealing store, and checks that
// the database holds it sealed.
func (v *vault) keep(user uuid.UUID, name, value string) {
	v.t.Helper()

	ctx := v.t.Context()
	_, err := v.sealed.Queries.InsertUserSecret(ctx, db.InsertUserSecretParams{
		UserID: user, Name: name, Value: value,
	})
	require.NoError(v.t, err)

	row, err := db.New(v.st.Pool).GetUserSecret(ctx, db.GetUserSecretParams{
		UserID: user, Name: name,
	})
	require.NoError(v.t, err)
	require.NotContains(v.t, row.Value, value, "the database holds the value sealed")
	_, sealed := dbcrypt.IsSealed(row.Value)
	require.True(v.t, sealed)
}

// sendGoverned posts body as a BYOK client that sends its gateway token in
// the governance header and no provider key, plus any header pairs in hdr.
func (g *gateway) sendGoverned(provider, path, body string, hdr ...string) *http.Response {
	g.t.Helper()

	req := g.request(g.url(provider, path), body)
	req.Header.Set(bridge.HeaderGovernanceToken, g.token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(g.t, err)
	return resp
}

// TestBYOKStoredKey checks that a BYOK request without a provider key goes
// upstream with the key the user stored for that provider, presented as
// the provider expects, and is recorded as BYOK with the key masked.
func TestBYOKStoredKey(t *testing.T) {
	t.Parallel()

	for _, bc := range storedCases {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()

			v := setupVault(t)
			v.keep(v.userID, bridge.BYOKSecretName(bc.provider), bc.key)
			ac := apiNamed(bc.fixture)
			f := fixtureNamed(t, ac, "blocking_text")
			v.answerWith(f)

			resp := v.sendGoverned(bc.provider, ac.path, string(f.Request))
			body := string(readAll(t, resp))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, string(f.Response), body)
			require.NotContains(t, body, bc.key)
			require.NotContains(t, headerText(resp.Header), bc.key)

			seen := v.upstream.seen()
			require.Len(t, seen, 1)
			require.Equal(t, bc.value, seen[0].Header.Get(bc.header))
			require.Equal(t, []string{bc.header}, credentialHeaders(seen[0].Header))
			require.NotContains(t, headerText(seen[0].Header), v.token)

			ic := v.interception(resp)
			require.Equal(t, v.userID, ic.InitiatorID)
			require.Equal(t, recorder.CredentialBYOK, ic.CredentialKind)
			require.Equal(t, keyfailover.Mask(bc.key), ic.CredentialHint)
			require.Equal(t, recorder.StatusCompleted, ic.Status)
			requireRecorded(t, f.Want.Record, ic)
		})
	}
}

// TestBYOKStoredKeyEcho checks that a stored key the upstream echoes, in a
// header, an error body or a stream, reaches the client only masked: the
// client never sent it, so it must not learn it from the gateway.
func TestBYOKStoredKeyEcho(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name, api, key, contentType, body string
		status                            int
	}{
		{
			"MessagesStream", "Messages", storedAnthropicKey, "text/event-stream",
			"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"," +
				"\"message\":\"key " + storedAnthropicKey + " is over its quota\"}}\n\n",
			http.StatusOK,
		},
		{
			"ChatCompletions", "ChatCompletions", storedOpenAIKey, "application/json",
			`{"error":{"message":"key ` + storedOpenAIKey + ` is over its quota",` +
				`"type":"invalid_request_error","param":null,"code":null}}`,
			http.StatusUnauthorized,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			v := setupVault(t)
			ac := apiNamed(tc.api)
			v.keep(v.userID, bridge.BYOKSecretName(ac.provider), tc.key)
			v.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Debug-Credential", tc.key)
				serve(tc.status, tc.contentType, []byte(tc.body), 5)(w, r)
			})

			req := string(fixtureNamed(t, ac, "stream_text").Request)
			resp := v.sendGoverned(ac.provider, ac.path, req)
			body := string(readAll(t, resp))
			require.Equal(t, tc.status, resp.StatusCode)
			require.NotContains(t, body, tc.key)
			require.NotContains(t, headerText(resp.Header), tc.key)
			masked := "key " + keyfailover.Mask(tc.key) + " is over its quota"
			require.Contains(t, body, masked)

			ic := v.interception(resp)
			require.Equal(t, recorder.StatusFailed, ic.Status)
			require.Equal(t, masked, ic.ErrorMessage)
		})
	}
}

// TestBYOKStoredKeyMissing checks that a BYOK request without a provider
// key, from a user who stored none for that provider, gets a 401 in the
// provider's shape naming the secret, and that neither another user's key
// of that name nor the user's key under another name is used.
func TestBYOKStoredKeyMissing(t *testing.T) {
	t.Parallel()

	v := setupVault(t)
	other, err := v.st.Queries.InsertUser(t.Context(), db.InsertUserParams{
		Username: "bob", Role: db.UserRoleMember,
	})
	require.NoError(t, err)
	v.keep(other.ID, "byok:anthropic", storedAnthropicKey)
	v.keep(v.userID, "byok:openai-other", storedOpenAIKey)

	for _, sh := range shapeCases {
		resp := v.sendGoverned(sh.provider, sh.path, validBody)
		requireGatewayErr(t, resp, sh.anthropic, gatewayErr{
			http.StatusUnauthorized, "authentication_error", "invalid_request_error",
			"invalid_api_key", `none is stored as user secret "byok:` + sh.provider + `"`,
		})
	}
	require.Empty(t, v.upstream.seen())
}

// TestBYOKStoredKeyClientKeyWins checks that a key the client sends goes
// upstream even when the user stored one for the provider.
func TestBYOKStoredKeyClientKeyWins(t *testing.T) {
	t.Parallel()

	v := setupVault(t)
	for i, bc := range byokCases {
		v.keep(v.userID, bridge.BYOKSecretName(bc.provider), storedCases[i].key)
		ac := apiNamed(bc.fixture)
		f := fixtureNamed(t, ac, "blocking_text")
		v.answerWith(f)

		resp := v.sendBYOK(bc, ac.path, string(f.Request))
		require.Equal(t, string(f.Response), string(readAll(t, resp)))
		ic := v.interception(resp)
		require.Equal(t, keyfailover.Mask(bc.key), ic.CredentialHint)
	}

	seen := v.upstream.seen()
	require.Len(t, seen, len(byokCases))
	for i, bc := range byokCases {
		require.Equal(t, bc.value, seen[i].Header.Get(bc.header))
		require.NotContains(t, headerText(seen[i].Header), storedCases[i].key)
	}
}

// TestBYOKStoredKeyDisallowed checks that with BYOK off a stored key is not
// used either: the request is refused before anything goes upstream.
func TestBYOKStoredKeyDisallowed(t *testing.T) {
	t.Parallel()

	v := setupVault(t, func(o *bridge.Options) { o.DisallowBYOK = true })
	for _, bc := range storedCases {
		v.keep(v.userID, bridge.BYOKSecretName(bc.provider), bc.key)
		ac := apiNamed(bc.fixture)
		resp := v.sendGoverned(bc.provider, ac.path, validBody)
		requireGatewayErr(t, resp, bc.provider == "anthropic", gatewayErr{
			http.StatusForbidden, "permission_error", "invalid_request_error", "byok_disabled",
			"CODER_AI_GATEWAY_ALLOW_BYOK",
		})
	}
	require.Empty(t, v.upstream.seen())
}

// TestBYOKStoredKeyUnreadable checks that a failed lookup of the stored key
// is a 503 and sends nothing upstream.
func TestBYOKStoredKeyUnreadable(t *testing.T) {
	t.Parallel()

	g := setup(t, func(o *bridge.Options) { o.Secrets = failingSecrets{} })
	for _, sh := range shapeCases {
		resp := g.sendGoverned(sh.provider, sh.path, validBody)
		requireGatewayErr(t, resp, sh.anthropic, unavailable("cannot read stored keys"))
	}
	require.Empty(t, g.upstream.seen())
}
