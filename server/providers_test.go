package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/server"
	"github.com/aigateway/aigateway/store"
)

const providerEnv = "CODER_AI_GATEWAY_PROVIDER_0_"

func TestServerSeedsAndLoadsProviders(t *testing.T) {
	t.Parallel()

	srv, err := server.New(server.Config{
		HTTPAddress: "127.0.0.1:0",
		GRPCAddress: "127.0.0.1:0",
		PostgresURL: dbtest.NewURL(t),
		DataDir:     t.TempDir(),
		Environ:     []string{providerEnv + "TYPE=openai", providerEnv + "KEY=sk-server-test-key"},
	})
	require.NoError(t, err)
	require.Nil(t, srv.Providers(), "no providers before the server starts")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()

	require.Eventually(t, func() bool { return srv.Providers() != nil },
		time.Minute, 10*time.Millisecond)
	p, ok := srv.Providers().Current().Get("openai")
	require.True(t, ok)
	require.Equal(t, []string{"sk-server-test-key"}, p.Keys)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(time.Minute):
		t.Fatal("server did not stop")
	}
}

func TestServerRefusesBadProviderEnv(t *testing.T) {
	t.Parallel()

	_, err := server.New(server.Config{
		HTTPAddress: "127.0.0.1:0",
		GRPCAddress: "127.0.0.1:0",
		DataDir:     t.TempDir(),
		Environ:     []string{providerEnv + "KEY=sk-server-test-key"},
	})
	require.ErrorContains(t, err, providerEnv+"TYPE")
	require.NotContains(t, err.Error(), "sk-server-test-key")
}

func TestServerStopsOnProviderConflict(t *testing.T) {
	t.Parallel()

	url := dbtest.NewURL(t)
	st, err := store.Open(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	env, err := providers.ParseEnv([]string{providerEnv + "TYPE=openai"})
	require.NoError(t, err)
	require.NoError(t, providers.Seed(t.Context(), st, env, nil))

	srv, err := server.New(server.Config{
		HTTPAddress: "127.0.0.1:0",
		GRPCAddress: "127.0.0.1:0",
		PostgresURL: url,
		DataDir:     t.TempDir(),
		Environ: []string{
			providerEnv + "TYPE=openai",
			providerEnv + "BASE_URL=https://openai.example.com",
		},
	})
	require.NoError(t, err)

	err = srv.Run(t.Context())
	var conflict *providers.ConflictError
	require.ErrorAs(t, err, &conflict)
	require.Equal(t, []string{"base_url"}, conflict.Fields)
	require.Nil(t, srv.Providers())
}
