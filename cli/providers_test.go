package cli_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbtest"
)

// Keys used by the tests; their hints are deterministic.
const (
	testKeyOne = "sk-test-0123456789abcdefghijkl"
	testKeyTwo = "sk-test-zyxwvutsrqponmlk9876543210"
)

func TestProvidersCommands(t *testing.T) {
	t.Parallel()
	g := newGateway(t)

	tr := g.transcript(t)
	tr.run("", "providers", "create", "--name", "alpha", "--type", "openai",
		"--base-url", "http://127.0.0.1:1/v1")
	tr.run("", "providers", "create", "--name", "beta", "--type", "anthropic", "-o", "json")
	tr.check("providers_create")

	tr = g.transcript(t)
	tr.run("", "providers", "list")
	tr.run("", "providers", "list", "-c", "name,id,created_at,updated_by")
	tr.run("", "providers", "list", "-o", "json")
	tr.check("providers_list")

	tr = g.transcript(t)
	tr.run("", "providers", "get", "beta")
	tr.run("", "providers", "get", "beta", "-o", "json")
	tr.check("providers_get")

	tr = g.transcript(t)
	tr.run("", "providers", "update", "alpha", "--base-url", "http://127.0.0.1:2/v1")
	tr.run("", "providers", "update", "beta", "--enabled=false", "-o", "json")
	tr.check("providers_update")

	tr = g.transcript(t)
	tr.run("", "providers", "delete", "alpha")
	tr.run("", "providers", "delete", "beta", "-o", "json")
	tr.check("providers_delete")
}

func TestProvidersKeysCommands(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	g.ok(t, "providers", "create", "--name", "alpha", "--type", "openai")

	tr := g.transcript(t)
	tr.run(testKeyOne+"\n", "providers", "keys", "add", "alpha")
	tr.run("  "+testKeyTwo+"\n\n", "providers", "keys", "add", "alpha", "-o", "json")
	tr.check("providers_keys_add")

	tr = g.transcript(t)
	tr.run("", "providers", "keys", "list", "alpha")
	r := tr.run("", "providers", "keys", "list", "alpha", "-o", "json")
	tr.check("providers_keys_list")

	var keys []struct {
		ID   string `json:"id"`
		Hint string `json:"hint"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &keys))
	require.Len(t, keys, 2)

	tr = g.transcript(t)
	tr.run("", "providers", "keys", "remove", "alpha", keys[0].ID)
	tr.run("", "providers", "keys", "remove", "alpha", keys[1].ID, "-o", "json")
	tr.run("", "providers", "keys", "list", "alpha")
	tr.check("providers_keys_remove")
}

func TestProvidersKeyNeverPrinted(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	g.ok(t, "providers", "create", "--name", "alpha", "--type", "openai")

	added := []result{
		g.cli(t, testKeyOne+"\n", "providers", "keys", "add", "alpha"),
		g.cli(t, testKeyTwo, "providers", "keys", "add", "alpha", "-o", "json"),
	}
	// A refused key is not echoed in the error either.
	refused := g.cli(t, testKeyOne, "providers", "keys", "add", "alpha")
	require.Equal(t, 1, refused.code)

	printed := append(added, refused)
	for _, args := range [][]string{
		{"providers", "keys", "list", "alpha", "-o", "json"},
		{"providers", "get", "alpha", "-o", "json"},
		{"audit", "list", "-o", "json"},
		{"audit", "list", "-c", "id,time,actor,action,resource_type,resource_id,diff"},
	} {
		r := g.cli(t, "", args...)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		printed = append(printed, r)
	}
	for _, r := range added {
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	}
	for _, r := range printed {
		for _, key := range []string{testKeyOne, testKeyTwo} {
			require.NotContains(t, r.stdout, key)
			require.NotContains(t, r.stderr, key)
		}
	}

	// An empty standard input is refused before anything is sent.
	r := g.cli(t, " \n", "providers", "keys", "add", "alpha")
	require.Equal(t, 1, r.code)
	require.Equal(t, "aigateway: providers keys add: no key on standard input\n", r.stderr)
}

func TestProvidersErrors(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	g.ok(t, "users", "create", "mallory", "--role", "auditor")
	token := tokenOf(t, g.ok(t, "tokens", "create", "--user", "mallory", "-o", "json"))

	tr := g.transcript(t)
	tr.run("", "providers", "create", "--name", "Bad", "--type", "openai")
	tr.run("", "providers", "create", "--name", "alpha", "--type", "gopher")
	tr.run("", "providers", "get", "nothing")
	tr.run("", "providers", "update", "nothing", "--enabled=false")
	tr.run("", "providers", "update", "nothing")
	tr.run("", "providers", "list", "-c", "name,colour")
	tr.run("", "providers", "list", "-o", "yaml")
	tr.run("", "providers", "list", "-o", "json", "-c", "name")
	tr.run("", "providers", "delete", "nothing", "-c", "name")
	tr.run("", "providers", "keys", "remove", "nothing", "not-an-id")
	tr.replace(token, "<mallory-token>")
	tr.run("", "providers", "create", "--name", "alpha", "--type", "openai", "--token", token)
	tr.run("", "providers", "list", "--token", "nope-nope")
	tr.check("providers_errors")
}

func TestProvidersChangeReachesSecondServer(t *testing.T) {
	t.Parallel()

	url := dbtest.NewURL(t)
	first := startGateway(t, url)
	second := startGateway(t, url)

	first.ok(t, "providers", "create", "--name", "shared", "--type", "openai")
	require.Eventually(t, func() bool {
		_, ok := second.srv.Providers().Current().Get("shared")
		return ok
	}, time.Second, 10*time.Millisecond, "the new provider did not reach the second server")

	r := first.cli(t, testKeyOne, "providers", "keys", "add", "shared")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.Eventually(t, func() bool {
		p, ok := second.srv.Providers().Current().Get("shared")
		return ok && len(p.Keys) == 1 && p.Keys[0] == testKeyOne
	}, time.Second, 10*time.Millisecond, "the new key did not reach the second server")

	first.ok(t, "providers", "update", "shared", "--enabled=false")
	require.Eventually(t, func() bool {
		p, ok := second.srv.Providers().Current().Get("shared")
		return ok && !p.Enabled
	}, time.Second, 10*time.Millisecond, "the update did not reach the second server")
}
