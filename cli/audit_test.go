package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAuditList(t *testing.T) {
	t.Parallel()
	g := newGateway(t)

	// Changes of every audited kind, in a known order.
	g.ok(t, "providers", "create", "--name", "alpha", "--type", "openai")
	r := g.cli(t, testKeyOne, "providers", "keys", "add", "alpha")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	g.ok(t, "providers", "update", "alpha", "--enabled=false")
	g.ok(t, "users", "create", "alice", "--role", "member")
	alice := tokenOf(t, g.ok(t, "tokens", "create", "--user", "alice", "-o", "json"))

	tr := g.transcript(t)
	tr.replace(tokenID(alice), "<alice-token-id>")
	tr.run("", "audit", "list")
	tr.run("", "audit", "list", "-o", "json")
	tr.run("", "audit", "list", "--resource-type", "user", "-c", "actor,action,diff")
	tr.run("", "audit", "list", "--limit", "2", "-c", "action,resource_type")
	tr.run("", "audit", "list", "--token", alice)
	tr.check("audit_list")
}
