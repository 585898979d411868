package cli_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/cli"
	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/server"
)

// update rewrites the golden files: go test ./cli/ -run X -update.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// gateway is a running server for the remote commands to call.
type gateway struct {
	srv     *server.Server
	dataDir string
}

// newGateway starts a server on a fresh database.
func newGateway(t *testing.T) *gateway {
	t.Helper()
	return startGateway(t, dbtest.NewURL(t))
}

// startGateway starts a server on postgresURL with loopback listeners and a
// data directory of its own, changed by tweak, waits until it is ready, and
// stops it when the test ends. The first server on a database writes
// admin.token.
func startGateway(t *testing.T, postgresURL string, tweak ...func(*server.Config)) *gateway {
	t.Helper()

	dir := t.TempDir()
	cfg := server.Config{
		HTTPAddress: "127.0.0.1:0",
		GRPCAddress: "127.0.0.1:0",
		PostgresURL: postgresURL,
		DataDir:     dir,
	}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := server.New(cfg)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(time.Minute):
			t.Error("the server did not stop")
		}
	})

	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + srv.HTTPAddr() + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, time.Minute, 20*time.Millisecond)
	return &gateway{srv: srv, dataDir: dir}
}

// adminToken returns the token the server wrote to its data directory.
func (g *gateway) adminToken(t *testing.T) string {
	t.Helper()

	data, err := os.ReadFile(filepath.Join(g.dataDir, server.AdminTokenFile))
	require.NoError(t, err)
	return strings.TrimSpace(string(data))
}

// result is what one command printed, and its exit status.
type result struct {
	code   int
	stdout string
	stderr string
}

// runCLI runs the command line in process with stdin and env.
func runCLI(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	var stdout, stderr bytes.Buffer
	code := cli.Run(ctx, args, cli.Options{
		Stdin:   strings.NewReader(stdin),
		Stdout:  &stdout,
		Stderr:  &stderr,
		Environ: env,
	})
	require.NoError(t, ctx.Err(), "the command ran out of time")
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// cli runs a command against g, as the owner whose token the server wrote
// to its data directory unless args name another --token.
func (g *gateway) cli(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	args = append(args, "--url", g.srv.GRPCAddr(), "--data-dir", g.dataDir)
	return runCLI(t, stdin, nil, args...)
}

// ok runs a command against g, requires it to succeed and returns what it
// printed to stdout.
func (g *gateway) ok(t *testing.T, args ...string) string {
	t.Helper()
	r := g.cli(t, "", args...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	return r.stdout
}

// transcript collects commands and their normalised output for a golden
// file under testdata/.
//
// Golden files must not depend on the run, so the transcript replaces the
// volatile parts of the output before comparing:
//   - gateway tokens ("<id>-<secret>") with <token>;
//   - values the test registered with replace, such as token ids;
//   - UUIDs with <id-1>, <id-2>, ... numbered by first appearance in the
//     transcript, so that the same id reads the same throughout, except
//     UUIDs that start with 00000000-, which the tests choose themselves;
//   - RFC 3339 times within a day of the test's start with <now>. Times
//     the tests choose lie in 2025 and stay.
//
// Table columns are aligned before the replacement, so a placeholder may
// leave a column out of line; the output stays deterministic.
type transcript struct {
	t     *testing.T
	g     *gateway
	start time.Time
	buf   strings.Builder
	pairs []string
	ids   map[string]string
}

func (g *gateway) transcript(t *testing.T) *transcript {
	return &transcript{t: t, g: g, start: time.Now(), ids: map[string]string{}}
}

// replace has every later output show placeholder in place of value.
func (tr *transcript) replace(value, placeholder string) {
	tr.pairs = append(tr.pairs, value, placeholder)
}

// run runs a command against the gateway and records its line, its
// normalised stdout and, when it fails, its exit status and stderr.
func (tr *transcript) run(stdin string, args ...string) result {
	tr.t.Helper()

	r := tr.g.cli(tr.t, stdin, args...)
	line := "$ aigateway " + strings.Join(args, " ")
	if stdin != "" {
		line += " < key"
	}
	fmt.Fprintf(&tr.buf, "%s\n%s", tr.normalise(line), tr.normalise(r.stdout))
	if r.code != 0 {
		fmt.Fprintf(&tr.buf, "[exit %d] %s", r.code, tr.normalise(r.stderr))
	}
	tr.buf.WriteString("\n")
	return r
}

var (
	tokenPattern = regexp.MustCompile(`\b[a-z0-9]{10}-[A-Za-z0-9_-]{43}\b`)
	uuidPattern  = regexp.MustCompile(
		`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	timePattern = regexp.MustCompile(
		`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
)

func (tr *transcript) normalise(s string) string {
	s = tokenPattern.ReplaceAllString(s, "<token>")
	s = strings.NewReplacer(tr.pairs...).Replace(s)
	s = uuidPattern.ReplaceAllStringFunc(s, func(id string) string {
		if strings.HasPrefix(id, "00000000-") {
			return id
		}
		if _, ok := tr.ids[id]; !ok {
			tr.ids[id] = fmt.Sprintf("<id-%d>", len(tr.ids)+1)
		}
		return tr.ids[id]
	})
	return timePattern.ReplaceAllStringFunc(s, func(ts string) string {
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err == nil && t.After(tr.start.Add(-24*time.Hour)) {
			return "<now>"
		}
		return ts
	})
}

// check compares the transcript with testdata/<name>.golden, or writes it
// there with -update.
func (tr *transcript) check(name string) {
	tr.t.Helper()

	path := filepath.Join("testdata", name+".golden")
	got := tr.buf.String()
	if *update {
		require.NoError(tr.t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(tr.t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(tr.t, err, "write it with: go test ./cli/ -run %s -update", tr.t.Name())
	require.Equal(tr.t, string(want), got, "rewrite it with -update if the change is meant")
}
