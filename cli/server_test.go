package cli_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/cli"
)

// run runs the command line with env and returns its exit status and what
// it printed to stdout and stderr.
func run(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	var stdout, stderr bytes.Buffer
	code := cli.Run(ctx, args, cli.Options{
		Stdin:   strings.NewReader(""),
		Stdout:  &stdout,
		Stderr:  &stderr,
		Environ: env,
	})
	require.NoError(t, ctx.Err(), "the command ran out of time")
	return code, stdout.String(), stderr.String()
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestServerBadConfiguration(t *testing.T) {
	t.Parallel()

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = busy.Close() })

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))

	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{
			name: "UnreachablePostgres",
			args: []string{"--postgres-url", "postgres://nobody@127.0.0.1:1/x"},
			want: "aigateway: connect to postgres at 127.0.0.1:1/x",
		},
		{
			name: "HTTPAddressInUse",
			args: []string{"--http-address", busy.Addr().String()},
			want: "aigateway: listen on http address " + busy.Addr().String(),
		},
		{
			name: "GRPCAddressInUse",
			args: []string{"--grpc-address", busy.Addr().String()},
			want: "aigateway: listen on grpc address " + busy.Addr().String(),
		},
		{
			name: "DataDirBelowFile",
			args: []string{"--data-dir", filepath.Join(file, "data")},
			want: "aigateway: create data directory",
		},
		{
			name: "AliasConflict",
			env: []string{
				"CODER_AI_GATEWAY_LOG_LEVEL=debug",
				"CODER_AIBRIDGE_LOG_LEVEL=warn",
			},
			want: "aigateway: CODER_AI_GATEWAY_LOG_LEVEL and CODER_AIBRIDGE_LOG_LEVEL are both set",
		},
		{
			name: "BadLogFormat",
			env:  []string{"CODER_AI_GATEWAY_LOG_FORMAT=xml"},
			want: `aigateway: invalid --log-format "xml"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			args := append([]string{
				"server",
				"--http-address", "127.0.0.1:0",
				"--grpc-address", "127.0.0.1:0",
				"--data-dir", t.TempDir(),
			}, tc.args...)
			code, _, stderr := run(t, tc.env, args...)
			require.Equal(t, 1, code)
			require.True(t, strings.HasPrefix(lastLine(stderr), tc.want),
				"stderr: %s", stderr)
		})
	}
}

func TestServerDeprecatedVariable(t *testing.T) {
	t.Parallel()

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))

	// The deprecated spelling takes effect (the data directory it names is
	// used, and fails) and the log names the new variable.
	code, _, stderr := run(t, []string{
		"CODER_AIBRIDGE_DATA_DIR=" + filepath.Join(file, "data"),
		"CODER_AIBRIDGE_HTTP_ADDRESS=127.0.0.1:0",
		"CODER_AI_GATEWAY_GRPC_ADDRESS=127.0.0.1:0",
	}, "server")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "CODER_AIBRIDGE_DATA_DIR is deprecated; use CODER_AI_GATEWAY_DATA_DIR")
	require.Contains(t, lastLine(stderr), "aigateway: create data directory")
}

func TestServerFlagBeatsEnvironment(t *testing.T) {
	t.Parallel()

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))

	code, _, stderr := run(t, []string{"CODER_AI_GATEWAY_DATA_DIR=" + t.TempDir()},
		"server", "--data-dir", filepath.Join(file, "data"),
		"--http-address", "127.0.0.1:0", "--grpc-address", "127.0.0.1:0",
		"--postgres-url", "postgres://nobody@127.0.0.1:1/x")
	require.Equal(t, 1, code)
	require.Contains(t, lastLine(stderr), "aigateway: create data directory")
}

func TestServerRepeatedDeprecatedVariable(t *testing.T) {
	t.Parallel()

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))

	dir := filepath.Join(file, "data")
	code, _, stderr := run(t, []string{
		"CODER_AIBRIDGE_DATA_DIR=" + dir,
		"CODER_AI_GATEWAY_DATA_DIR=" + dir,
	}, "server", "--http-address", "127.0.0.1:0", "--grpc-address", "127.0.0.1:0")
	require.Equal(t, 1, code)
	require.Contains(t, stderr,
		"CODER_AIBRIDGE_DATA_DIR is deprecated and repeats CODER_AI_GATEWAY_DATA_DIR")
}
