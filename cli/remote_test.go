package cli_test

import (
	"net"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// closedAddress returns a loopback address where nothing listens.
func closedAddress(t *testing.T) string {
	t.Helper()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestRemoteFailsBeforeCalling(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	addr := closedAddress(t)
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{
			name: "MissingTokenFile",
			args: []string{"providers", "list", "--data-dir", dir, "--url", addr},
			want: "aigateway: providers list: no gateway token: " +
				filepath.Join(dir, "admin.token") + " does not exist; " +
				"pass --token or set CODER_AI_GATEWAY_TOKEN\n",
		},
		{
			name: "Unreachable",
			args: []string{"users", "list", "--token", "x", "--url", addr},
			want: "aigateway: users list: cannot reach the gateway at " + addr + ": ",
		},
		{
			name: "UnknownColumn",
			args: []string{"users", "list", "--token", "x", "-c", "username,age"},
			want: `aigateway: users list: -c: unknown column "age"; ` +
				"valid columns: id, username, role, created_at\n",
		},
		{
			name: "UnknownFormat",
			args: []string{"audit", "list", "--token", "x", "-o", "yaml"},
			want: `aigateway: audit list: -o: unknown output format "yaml"; ` +
				"want table or json\n",
		},
		{
			name: "BadScheme",
			args: []string{"tokens", "list", "--token", "x", "--url", "ftp://127.0.0.1:1"},
			want: `aigateway: tokens list: --url "ftp://127.0.0.1:1": unknown scheme "ftp"; ` +
				"want http or https\n",
		},
		{
			name: "URLWithPath",
			args: []string{"tokens", "list", "--token", "x", "--url", "http://127.0.0.1:1/api"},
			want: `aigateway: tokens list: --url "http://127.0.0.1:1/api": want host:port, ` +
				"optionally after http:// or https://\n",
		},
		{
			name: "CertWithoutKey",
			args: []string{"audit", "list", "--token", "x", "--client-tls-cert-file", "c.pem"},
			want: "aigateway: audit list: --client-tls-cert-file and --client-tls-key-file " +
				"go together\n",
		},
		{
			name: "ClientCAFromEnvironment",
			env:  []string{"CODER_CLIENT_TLS_CA_FILE=" + filepath.Join(dir, "ca.pem")},
			args: []string{"interceptions", "list", "--token", "x", "--url", addr},
			want: "aigateway: interceptions list: read CA file: ",
		},
		{
			name: "AliasConflict",
			env:  []string{"CODER_AI_GATEWAY_URL=" + addr, "CODER_AIBRIDGE_URL=127.0.0.1:1"},
			args: []string{"providers", "list", "--token", "x"},
			want: "aigateway: providers list: CODER_AI_GATEWAY_URL and CODER_AIBRIDGE_URL " +
				"are both set, to different values; " +
				"unset CODER_AIBRIDGE_URL, the deprecated name\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			r := runCLI(t, "", tc.env, tc.args...)
			require.Equal(t, 1, r.code)
			require.Empty(t, r.stdout)
			if tc.want[len(tc.want)-1] == '\n' {
				require.Equal(t, tc.want, r.stderr)
			} else {
				require.Regexp(t, "^"+regexp.QuoteMeta(tc.want)+"[^\n]*\n$", r.stderr)
			}
		})
	}
}

func TestRemoteEnvironment(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	g.ok(t, "providers", "create", "--name", "alpha", "--type", "openai")

	t.Run("Variables", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, "", []string{
			"CODER_AI_GATEWAY_URL=" + g.srv.GRPCAddr(),
			"CODER_AI_GATEWAY_DATA_DIR=" + g.dataDir,
			// Only the client TLS variables with the CODER_CLIENT_ prefix count.
			"CODER_AI_GATEWAY_CLIENT_TLS_CA_FILE=/nonexistent/ca.pem",
		}, "providers", "list", "-c", "name")
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		require.Equal(t, "NAME\nalpha\n", r.stdout)
		require.Empty(t, r.stderr)
	})

	t.Run("DeprecatedVariables", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, "", []string{
			"CODER_AIBRIDGE_URL=" + g.srv.GRPCAddr(),
			"CODER_AIBRIDGE_TOKEN=" + g.adminToken(t),
		}, "providers", "list", "-c", "name", "--data-dir", t.TempDir())
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		require.Equal(t, "NAME\nalpha\n", r.stdout)
		require.Contains(t, r.stderr, "aigateway: CODER_AIBRIDGE_URL is deprecated; "+
			"use CODER_AI_GATEWAY_URL\n")
		require.Contains(t, r.stderr, "aigateway: CODER_AIBRIDGE_TOKEN is deprecated; "+
			"use CODER_AI_GATEWAY_TOKEN\n")
	})

	t.Run("FlagsBeatVariables", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, "", []string{
			"CODER_AI_GATEWAY_URL=" + closedAddress(t),
			"CODER_AI_GATEWAY_TOKEN=not-a-token",
		}, "providers", "list", "-c", "name", "--url", g.srv.GRPCAddr(),
			"--token", g.adminToken(t))
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		require.Equal(t, "NAME\nalpha\n", r.stdout)
	})

	t.Run("CommandFlagsIgnoreVariables", func(t *testing.T) {
		t.Parallel()
		// CODER_AI_GATEWAY_ENABLED is the server's --enabled: it must not
		// switch a provider off when an operator updates its base URL.
		r := runCLI(t, "", []string{
			"CODER_AI_GATEWAY_ENABLED=false",
			"CODER_AI_GATEWAY_OUTPUT=json",
		}, "providers", "update", "alpha", "--base-url", "http://127.0.0.1:3/v1",
			"-c", "name,enabled,base_url", "--url", g.srv.GRPCAddr(), "--data-dir", g.dataDir)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		require.Equal(t, "NAME   ENABLED  BASE_URL\nalpha  true     http://127.0.0.1:3/v1\n",
			r.stdout)
	})
}
