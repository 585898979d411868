package providers_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/store"
)

// twoProviders configures an OpenAI provider with two keys and an
// Anthropic provider reached through Bedrock with two AWS credentials.
var twoProviders = []string{
	p0 + "TYPE=openai",
	p0 + "KEYS=" + keyA + "," + keyB,
	p1 + "TYPE=anthropic",
	p1 + "NAME=claude",
	p1 + "BASE_URL=https://anthropic.internal/",
	p1 + "BEDROCK_REGION=us-east-1",
	p1 + "BEDROCK_MODEL=claude-opus",
	p1 + "BEDROCK_ACCESS_KEYS=" + awsKeyA + "," + awsKeyB,
	p1 + "BEDROCK_ACCESS_KEY_SECRETS=" + awsSecA + "," + awsSecB,
}

// secrets are every key and secret of twoProviders and the tests' variants.
var secrets = []string{keyA, keyB, keyC, awsKeyA, awsKeyB, awsSecA, awsSecB}

// requireNoSecret fails when s holds any of the test secrets.
func requireNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range secrets {
		require.NotContains(t, s, secret)
	}
}

func TestSeedInserts(t *testing.T) {
	t.Parallel()
	s := setup(t)

	// The seed announces its inserts; listen before it runs.
	conn, err := pgx.Connect(t.Context(), s.url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	_, err = conn.Exec(t.Context(), "LISTEN "+providers.ChangedChannel)
	require.NoError(t, err)

	require.NoError(t, s.seed(t, twoProviders...))

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	n, err := conn.WaitForNotification(ctx)
	require.NoError(t, err)
	require.Equal(t, providers.ChangedChannel, n.Channel)

	set := s.build(t)
	require.Equal(t, 2, set.Len())
	all := set.All()
	require.Equal(t, "claude", all[0].Name)
	require.Equal(t, "openai", all[1].Name)

	openai, ok := set.Get("openai")
	require.True(t, ok)
	require.True(t, openai.Enabled)
	require.Equal(t, []string{keyA, keyB}, openai.Keys)
	require.Equal(t, "https://api.openai.com/v1", openai.BaseURL)
	require.Empty(t, openai.KeysVar)
	require.Nil(t, openai.Bedrock)

	claude, ok := set.Get("claude")
	require.True(t, ok)
	require.Equal(t, providers.TypeAnthropic, claude.Type)
	require.Equal(t, "https://anthropic.internal", claude.BaseURL)
	require.Empty(t, claude.Keys)
	require.Equal(t, &providers.Bedrock{
		Region: "us-east-1",
		Model:  "claude-opus",
		Credentials: []providers.AWSCredential{
			{AccessKey: awsKeyA, Secret: awsSecA},
			{AccessKey: awsKeyB, Secret: awsSecB},
		},
	}, claude.Bedrock)

	// One audit entry per provider, by the system actor, without secrets.
	rows, err := s.st.Pool.Query(t.Context(), `
		SELECT a.diff::text FROM audit_logs a
		JOIN ai_providers p ON p.id::text = a.resource_id
		WHERE a.actor_id IS NULL AND a.action = $1 AND a.resource_type = $2
		ORDER BY p.name`, providers.AuditActionCreate, providers.AuditResourceProvider)
	require.NoError(t, err)
	diffs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Len(t, diffs, 2)
	require.Contains(t, diffs[0], `"name": "claude"`)
	require.Contains(t, diffs[1], `"keys": ["sk-t...0001", "sk-t...0002"]`)
	for _, diff := range diffs {
		requireNoSecret(t, diff)
	}

	require.True(t, s.logs.Contains("provider created from the environment"))
	requireNoSecret(t, s.logs.String())
}

func TestSeedRestartIsNoOp(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t, twoProviders...))
	before := s.build(t)
	logged := s.logs.String()

	require.NoError(t, s.seed(t, twoProviders...))
	after := s.build(t)
	require.Equal(t, before.All(), after.All())
	require.Equal(t, 2, s.count(t, "SELECT count(*) FROM audit_logs"))
	require.Equal(t, logged, s.logs.String(), "a restart without changes logs nothing")
}

func TestSeedKeyDriftWarns(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t, p0+"TYPE=openai", p0+"KEYS="+keyA+","+keyB))
	require.NoError(t, s.seed(t, p0+"TYPE=openai", p0+"KEYS="+keyB+","+keyC))

	logs := s.logs.String()
	require.Contains(t, logs, "level=WARN")
	require.Contains(t, logs, "provider keys differ from the environment")
	require.Contains(t, logs, "variable="+p0+"KEYS")
	require.Contains(t, logs, providers.KeysCommand)
	requireNoSecret(t, logs)

	// The stored keys win.
	openai, ok := s.build(t).Get("openai")
	require.True(t, ok)
	require.Equal(t, []string{keyA, keyB}, openai.Keys)
}

func TestSeedConflict(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t, twoProviders...))

	// claude moves to another base URL and swaps its AWS secrets.
	changed := []string{
		p0 + "TYPE=openai",
		p0 + "KEYS=" + keyA + "," + keyB,
		p1 + "TYPE=anthropic",
		p1 + "NAME=claude",
		p1 + "BASE_URL=https://anthropic.example.com",
		p1 + "BEDROCK_REGION=us-east-1",
		p1 + "BEDROCK_MODEL=claude-opus",
		p1 + "BEDROCK_ACCESS_KEYS=" + awsKeyA + "," + awsKeyB,
		p1 + "BEDROCK_ACCESS_KEY_SECRETS=" + awsSecB + "," + awsSecA,
	}
	err := s.seed(t, changed...)
	require.Error(t, err)

	var conflict *providers.ConflictError
	require.ErrorAs(t, err, &conflict)
	require.Equal(t, "claude", conflict.Provider)
	require.Equal(t, []string{"base_url", "bedrock.access_key_secret"}, conflict.Fields)
	require.Empty(t, conflict.UpdatedBy)

	msg := err.Error()
	require.Contains(t, msg, `provider "claude"`)
	require.Contains(t, msg, "base_url, bedrock.access_key_secret")
	require.Contains(t, msg, "last changed by the system")
	require.Contains(t, msg, conflict.UpdatedAt.UTC().Format(time.RFC3339))
	require.Contains(t, msg, "environment variables match the database")
	requireNoSecret(t, msg)
	requireNoSecret(t, s.logs.String())

	// Once a user changed the row, the message names them.
	s.exec(t, "INSERT INTO users (username, role) VALUES ('ann', 'owner')")
	s.exec(t, `UPDATE ai_providers SET updated_by = (SELECT id FROM users WHERE username = 'ann')
		WHERE name = 'claude'`)
	err = s.seed(t, changed...)
	require.ErrorAs(t, err, &conflict)
	require.Equal(t, "ann", conflict.UpdatedBy)
	require.Contains(t, err.Error(), "last changed by user ann")
}

func TestSeedConflictWritesNothing(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t, p0+"TYPE=openai"))

	// A new provider next to a conflicting one is not inserted.
	err := s.seed(t, p0+"TYPE=openai", p0+"BASE_URL=https://openai.example.com",
		p1+"TYPE=anthropic")
	var conflict *providers.ConflictError
	require.ErrorAs(t, err, &conflict)
	require.Equal(t, []string{"base_url"}, conflict.Fields)
	require.Equal(t, 1, s.build(t).Len())
	require.False(t, s.logs.Contains("provider=anthropic"))
}

func TestSeedKeepsSoftDelete(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t, twoProviders...))
	s.exec(t, "UPDATE ai_providers SET deleted = true WHERE name = 'openai'")

	require.NoError(t, s.seed(t, twoProviders...))
	require.Equal(t, 1, s.count(t, "SELECT count(*) FROM ai_providers WHERE name = 'openai'"))
	require.True(t, s.logs.Contains("provider not recreated: it was deleted in the database"))
	require.True(t, s.logs.Contains("provider=openai"))

	_, ok := s.build(t).Get("openai")
	require.False(t, ok, "a deleted provider is not served")
}

func TestSeedSkipsUnknownType(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.NoError(t, s.seed(t,
		p0+"TYPE=copilot", p0+"KEY="+keyA,
		p1+"TYPE=openai",
	))
	require.Equal(t, 1, s.count(t, "SELECT count(*) FROM ai_providers"))
	require.True(t, s.logs.Contains("provider skipped: the gateway does not serve its type yet"))
	require.True(t, s.logs.Contains("provider=copilot type=copilot"))
	requireNoSecret(t, s.logs.String())
}

func TestSeedLegacyAndIndexedClash(t *testing.T) {
	t.Parallel()
	s := setup(t)

	// The clash stops startup before the seed ever runs.
	_, err := providers.ParseEnv([]string{
		"CODER_AIBRIDGE_OPENAI_KEY=" + keyA,
		p0 + "TYPE=openai", p0 + "KEY=" + keyB,
	})
	require.Error(t, err)
	require.Contains(t, err.Error(), p0+"TYPE")
	require.Contains(t, err.Error(), "CODER_AIBRIDGE_OPENAI_KEY")
	require.Contains(t, err.Error(), p0+"NAME")
	requireNoSecret(t, err.Error())
	require.Zero(t, s.count(t, "SELECT count(*) FROM ai_providers"))
}

func TestSeedConcurrently(t *testing.T) {
	t.Parallel()
	s := setup(t)

	env, err := providers.ParseEnv(twoProviders)
	require.NoError(t, err)

	// Five servers, each with a pool of its own, seed one database at once.
	const servers = 5
	errs := make([]error, servers)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Go(func() {
			st, err := store.Open(t.Context(), s.url)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			errs[i] = providers.Seed(t.Context(), st, env, s.logger)
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))

	require.Equal(t, 2, s.count(t, "SELECT count(*) FROM ai_providers"))
	require.Equal(t, 2, s.count(t, "SELECT count(*) FROM audit_logs"))
	require.Equal(t, 2, s.count(t, "SELECT count(*) FROM ai_provider_keys"))
}
