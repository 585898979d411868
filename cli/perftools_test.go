package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/cli"
	"github.com/aigateway/aigateway/scaletest"
)

// TestFakellmAndScaletest starts `aigateway fakellm` on a free port, loads
// it with `aigateway scaletest`, and stops it.
func TestFakellmAndScaletest(t *testing.T) {
	t.Parallel()

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	exited := make(chan int, 1)
	go func() {
		exited <- cli.Run(ctx, []string{
			"fakellm", "--address", "127.0.0.1:0", "--delay", "5ms", "--keys", "sk-cli",
			"--log-level", "warn",
		}, cli.Options{Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard})
		_ = pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "fakellm listening on ")
	require.True(t, ok, line)

	report := filepath.Join(t.TempDir(), "report.json")
	code, stdout, stderr := run(t, nil, "scaletest", "--url", url, "--token", "sk-cli",
		"--api", "anthropic", "--stream", "--tools", "--rate", "20", "--duration", "500ms",
		"--json", report)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "scaletest: messages streaming at 20/s")
	require.Contains(t, stdout, "errors      none")

	b, err := os.ReadFile(report)
	require.NoError(t, err)
	var rep scaletest.Report
	require.NoError(t, json.Unmarshal(b, &rep))
	require.Positive(t, rep.Sent)
	require.Equal(t, rep.Sent, rep.OK)

	cancel()
	require.Equal(t, 0, <-exited)
}

func TestPerfToolsBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"fakellm", "--address", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"fakellm", "--address", ":0"}, "not a loopback address"},
		{[]string{"fakellm", "--address", "127.0.0.1:0", "--fault", "sk-x"}, "want KEY=FAULT"},
		{[]string{"fakellm", "--address", "127.0.0.1:0", "--fault", "sk-x=500"}, "unknown fault"},
		{[]string{"fakellm", "--address", "127.0.0.1:0", "--chunks", "0"}, "at least 1"},
		{[]string{"scaletest"}, "no URL given"},
		{[]string{"scaletest", "--url", "http://127.0.0.1:1", "--api", "grpc"}, "unknown API"},
		{[]string{"scaletest", "--url", "http://127.0.0.1:1", "--header", "x"}, `"Name: value"`},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, nil, tt.args...)
		require.Equal(t, 1, code, tt.args)
		require.Contains(t, lastLine(stderr), tt.want, tt.args)
	}
}
