package providers_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/providers"
)

func TestNewSet(t *testing.T) {
	t.Parallel()

	b := &providers.Provider{Spec: providers.Spec{Name: "b"}}
	a := &providers.Provider{Spec: providers.Spec{Name: "a"}, Enabled: true}
	set := providers.NewSet(b, a)

	require.Equal(t, 2, set.Len())
	require.Equal(t, []*providers.Provider{a, b}, set.All())
	got, ok := set.Get("b")
	require.True(t, ok)
	require.Same(t, b, got)
	_, ok = set.Get("c")
	require.False(t, ok)

	// All hands out a copy: reordering it leaves the set alone.
	all := set.All()
	all[0], all[1] = all[1], all[0]
	require.Equal(t, []*providers.Provider{a, b}, set.All())
}

func TestBuildProviders(t *testing.T) {
	t.Parallel()
	s := setup(t)

	require.Zero(t, s.build(t).Len())

	require.NoError(t, s.seed(t, twoProviders...))
	s.exec(t, "INSERT INTO ai_providers (name, type, base_url, deleted) "+
		"VALUES ('gone', 'openai', 'https://gone.example.com', true)")
	s.exec(t, "UPDATE ai_providers SET enabled = false WHERE name = 'claude'")

	// Keys come in position order, whatever order they were written in.
	s.exec(t, `INSERT INTO ai_provider_keys (provider_id, position, key)
		SELECT id, 7, $1 FROM ai_providers WHERE name = 'openai'`, keyC)
	s.exec(t, `UPDATE ai_provider_keys SET position = position + 10
		WHERE key = $1`, keyA)

	set := s.build(t)
	require.Equal(t, 2, set.Len(), "deleted providers are left out")

	openai, ok := set.Get("openai")
	require.True(t, ok)
	require.True(t, openai.Enabled)
	require.Equal(t, []string{keyB, keyC, keyA}, openai.Keys)
	require.False(t, openai.UpdatedAt.IsZero())

	claude, ok := set.Get("claude")
	require.True(t, ok)
	require.False(t, claude.Enabled, "disabled providers stay, marked")
	require.NotNil(t, claude.Bedrock)
}
