package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/store"
)

// Secret values the tests store; no command may print them.
const (
	secretAnthropic = "sk-ant-cli-secret-0000000000000001"
	secretOpenAI    = "sk-cli-openai-secret-000000000001"
	secretReplaced  = "sk-ant-cli-secret-replaced-000002"
)

func TestSecretsCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	g := startGateway(t, url)

	tr := g.transcript(t)
	tr.run(secretAnthropic+"\n", "secrets", "create", "byok:anthropic")
	tr.run(secretOpenAI+"\r\n", "secrets", "create", "byok:openai", "-o", "json")
	tr.run("  padded value \n", "secrets", "create", "padded")
	tr.run(secretOpenAI, "secrets", "create", "byok:openai")
	tr.run(secretOpenAI, "secrets", "create", ".hidden")
	tr.run("\n", "secrets", "create", "empty")
	tr.run(strings.Repeat("x", 64<<10+1), "secrets", "create", "huge")
	tr.check("secrets_create")

	// The values went to the gateway whole, only the trailing newline cut.
	st, err := store.Open(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	admin, err := st.Queries.GetUserByUsername(t.Context(), "admin")
	require.NoError(t, err)
	stored := func(name string) string {
		row, err := st.Queries.GetUserSecret(t.Context(), db.GetUserSecretParams{
			UserID: admin.ID, Name: name,
		})
		require.NoError(t, err)
		return row.Value
	}
	require.Equal(t, secretAnthropic, stored("byok:anthropic"))
	require.Equal(t, secretOpenAI, stored("byok:openai"))
	require.Equal(t, "  padded value ", stored("padded"))

	tr = g.transcript(t)
	tr.run("", "secrets", "list")
	tr.run("", "secrets", "list", "-c", "name")
	tr.run("", "secrets", "list", "-o", "json")
	tr.check("secrets_list")

	tr = g.transcript(t)
	tr.run(secretReplaced+"\n", "secrets", "update", "byok:anthropic")
	tr.run(secretReplaced, "secrets", "update", "padded", "-o", "json")
	tr.run(secretReplaced, "secrets", "update", "nothing")
	tr.check("secrets_update")

	require.Equal(t, secretReplaced, stored("byok:anthropic"))
	require.Equal(t, secretReplaced, stored("padded"))

	tr = g.transcript(t)
	tr.run("", "secrets", "delete", "padded")
	tr.run("", "secrets", "delete", "byok:openai", "-o", "json")
	tr.run("", "secrets", "delete", "byok:openai")
	tr.run("", "secrets", "list")
	tr.check("secrets_delete")
}

// TestSecretsStayPrivate checks that no command prints a value, not even
// in the audit log, and that a user sees only their own secrets.
func TestSecretsStayPrivate(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	g.ok(t, "users", "create", "alice", "--role", "member")
	alice := tokenOf(t, g.ok(t, "tokens", "create", "--user", "alice", "-o", "json"))

	printed := []result{
		g.cli(t, secretAnthropic+"\n", "secrets", "create", "byok:anthropic"),
		g.cli(t, secretOpenAI, "secrets", "create", "byok:openai", "-o", "json"),
		g.cli(t, secretOpenAI, "secrets", "create", "byok:openai", "--token", alice),
		g.cli(t, secretReplaced, "secrets", "update", "byok:anthropic", "-o", "json"),
		g.cli(t, "", "secrets", "list", "-o", "json"),
		g.cli(t, "", "audit", "list", "-o", "json"),
	}
	for _, r := range printed {
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	}

	// Alice lists her secret only, and cannot reach the owner's.
	r := g.cli(t, "", "secrets", "list", "-o", "json", "--token", alice)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var listed []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &listed))
	require.Len(t, listed, 1)
	require.Equal(t, "byok:openai", listed[0]["name"])
	printed = append(printed, r)

	r = g.cli(t, secretReplaced, "secrets", "update", "byok:anthropic", "--token", alice)
	require.Equal(t, 1, r.code)
	require.Equal(t, "aigateway: secrets update: secret \"byok:anthropic\": not found\n",
		r.stderr)
	printed = append(printed, r)

	for _, r := range printed {
		for _, value := range []string{secretAnthropic, secretOpenAI, secretReplaced} {
			require.NotContains(t, r.stdout, value)
			require.NotContains(t, r.stderr, value)
		}
	}
}
