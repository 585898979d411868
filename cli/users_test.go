package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// tokenOf returns the token of `tokens create -o json` output, which must
// be {"token": "..."} and nothing more.
func tokenOf(t *testing.T, stdout string) string {
	t.Helper()

	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.Len(t, out, 1, "output: %s", stdout)
	token, ok := out["token"].(string)
	require.True(t, ok, "output: %s", stdout)
	require.NotEmpty(t, token)
	return token
}

// tokenID returns the id part of a gateway token.
func tokenID(token string) string {
	id, _, _ := strings.Cut(token, "-")
	return id
}

func TestUsersCommands(t *testing.T) {
	t.Parallel()
	g := newGateway(t)

	tr := g.transcript(t)
	tr.run("", "users", "create", "alice", "--role", "member")
	tr.run("", "users", "create", "bob", "--role", "service-account", "-o", "json")
	tr.run("", "users", "create", "carol", "--role", "boss")
	tr.run("", "users", "create", "alice", "--role", "auditor")
	tr.check("users_create")

	tr = g.transcript(t)
	tr.run("", "users", "list")
	tr.run("", "users", "list", "-o", "json")
	tr.check("users_list")

	tr = g.transcript(t)
	tr.run("", "users", "delete", "alice")
	tr.run("", "users", "delete", "bob", "-o", "json")
	tr.run("", "users", "delete", "admin")
	tr.run("", "users", "delete", "nobody")
	tr.run("", "users", "list")
	tr.check("users_delete")
}

func TestTokensCommands(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	g.ok(t, "users", "create", "alice", "--role", "member")
	g.ok(t, "users", "create", "bob", "--role", "auditor")

	tr := g.transcript(t)
	r := tr.run("", "tokens", "create", "--user", "alice")
	alice := strings.TrimSpace(r.stdout)
	r = tr.run("", "tokens", "create", "--user", "bob", "-o", "json")
	bob := tokenOf(t, r.stdout)
	tr.check("tokens_create")

	// The table output is the token alone, for a script to capture.
	require.Regexp(t, `^[a-z0-9]{10}-[A-Za-z0-9_-]{43}$`, alice)

	tr = g.transcript(t)
	tr.replace(tokenID(g.adminToken(t)), "<admin-token-id>")
	tr.replace(tokenID(alice), "<alice-token-id>")
	tr.replace(tokenID(bob), "<bob-token-id>")
	tr.run("", "tokens", "list", "--all")
	tr.run("", "tokens", "list", "--user", "alice", "-o", "json")
	tr.run("", "tokens", "list", "--token", bob)
	tr.run("", "tokens", "list", "--token", alice, "--all")
	tr.check("tokens_list")

	tr = g.transcript(t)
	tr.replace(tokenID(alice), "<alice-token-id>")
	tr.replace(tokenID(bob), "<bob-token-id>")
	tr.run("", "tokens", "revoke", tokenID(alice))
	tr.run("", "tokens", "revoke", tokenID(bob), "-o", "json")
	tr.run("", "tokens", "revoke", tokenID(bob))
	tr.run("", "tokens", "list", "--token", bob)
	tr.check("tokens_revoke")
}

func TestTokensCreateJSONAuthenticates(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	g.ok(t, "users", "create", "auditor", "--role", "auditor")

	token := tokenOf(t, g.ok(t, "tokens", "create", "--user", "auditor", "-o", "json"))

	// The token works on its own: no data directory, no admin token.
	r := runCLI(t, "", []string{"CODER_AI_GATEWAY_TOKEN=" + token},
		"tokens", "list", "-o", "json", "--url", g.srv.GRPCAddr(),
		"--data-dir", t.TempDir())
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)

	var tokens []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &tokens))
	require.Len(t, tokens, 1)
	require.Equal(t, "auditor", tokens[0]["username"])
	require.Equal(t, tokenID(token), tokens[0]["id"])
}
