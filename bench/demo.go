package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aigateway/aigateway/fakellm"
)

// demoKey is the provider key the demo gateway holds for fakellm.
const demoKey = "sk-demo-upstream-0000000000000001"

// runDemo starts fakellm and, in front of it, a gateway with the built-in
// Postgres, checks a request through the gateway, prints curl lines that
// work, and runs until interrupted.
func runDemo(args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	binary := fs.String("aigateway", env("BENCH_AIGATEWAY", ""),
		"aigateway binary (default: built from ./cmd/aigateway)")
	fakeAddr := fs.String("fakellm-address", env("DEMO_FAKELLM_ADDRESS", "127.0.0.1:8090"),
		"fakellm's address (DEMO_FAKELLM_ADDRESS)")
	httpAddr := fs.String("http-address", env("DEMO_HTTP_ADDRESS", "127.0.0.1:8080"),
		"the gateway's HTTP address (DEMO_HTTP_ADDRESS)")
	grpcAddr := fs.String("grpc-address", env("DEMO_GRPC_ADDRESS", "127.0.0.1:9090"),
		"the gateway's gRPC address (DEMO_GRPC_ADDRESS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, a := range []string{*fakeAddr, *httpAddr, *grpcAddr} {
		if !fakellm.IsLoopback(a) {
			return fmt.Errorf("the demo listens on loopback addresses only, not %s", a)
		}
	}
	ctx, stop := signalContext()
	defer stop()

	// The built-in Postgres runs as the postgres user when the demo runs
	// as root, so its folder must be open to that user.
	dir, err := os.MkdirTemp("", "aigateway-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	if *binary == "" {
		if *binary, err = buildGateway(ctx, dir); err != nil {
			return err
		}
	}

	fake, err := startChild(dir, "fakellm", childEnv(), *binary, "fakellm",
		"--address", *fakeAddr, "--keys", demoKey,
		"--delay", "300ms", "--chunks", "12", "--chunk-delay", "80ms")
	if err != nil {
		return err
	}
	defer stopQuietly(fake)
	if err := fake.waitReady("http://"+*fakeAddr+"/healthz", 20*time.Second); err != nil {
		return err
	}

	dataDir := filepath.Join(dir, "data")
	env := childEnv(
		"CODER_AI_GATEWAY_PROVIDER_0_TYPE=openai",
		"CODER_AI_GATEWAY_PROVIDER_0_KEY="+demoKey,
		"CODER_AI_GATEWAY_PROVIDER_0_BASE_URL=http://"+*fakeAddr+"/v1",
		"CODER_AI_GATEWAY_PROVIDER_1_TYPE=anthropic",
		"CODER_AI_GATEWAY_PROVIDER_1_KEY="+demoKey,
		"CODER_AI_GATEWAY_PROVIDER_1_BASE_URL=http://"+*fakeAddr,
	)
	fmt.Println("starting the gateway with its built-in Postgres; logs in " + dir)
	gw, err := startChild(dir, "gateway", env, *binary, "server",
		"--http-address", *httpAddr, "--grpc-address", *grpcAddr, "--data-dir", dataDir)
	if err != nil {
		return err
	}
	defer stopQuietly(gw)
	if err := gw.waitReady("http://"+*httpAddr+"/readyz", 90*time.Second); err != nil {
		return err
	}

	tokenFile := filepath.Join(dataDir, "admin.token")
	tok, err := os.ReadFile(tokenFile)
	if err != nil {
		return fmt.Errorf("read the admin token: %w", err)
	}
	token := strings.TrimSpace(string(tok))
	chat := "http://" + *httpAddr + "/api/v2/ai-gateway/openai/v1/chat/completions"
	body := `{"model":"gpt-4.1","stream":true,` +
		`"messages":[{"role":"user","content":"Say hello"}]}`
	if err := tryRequest(ctx, chat, token, body); err != nil {
		return fmt.Errorf("the demo request failed: %w", err)
	}

	fmt.Printf("\nthe gateway is ready at http://%s, in front of fakellm at http://%s\n",
		*httpAddr, *fakeAddr)
	fmt.Printf("the owner's token is in %s; try:\n\n", tokenFile)
	fmt.Printf("curl -N %s \\\n  -H \"Authorization: Bearer $(cat %s)\" \\\n"+
		"  -H 'Content-Type: application/json' \\\n  -d '%s'\n\n", chat, tokenFile, body)
	fmt.Printf("curl http://%s/api/v2/ai-gateway/anthropic/v1/messages \\\n"+
		"  -H \"X-Api-Key: $(cat %s)\" -H 'Content-Type: application/json' \\\n"+
		"  -d '{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,"+
		"\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}'\n\n",
		*httpAddr, tokenFile)
	fmt.Println("press Ctrl-C to stop; the data directory is removed on exit")

	select {
	case <-ctx.Done():
	case <-gw.done:
		return fmt.Errorf("the gateway stopped: %w", gw.err)
	case <-fake.done:
		return fmt.Errorf("fakellm stopped: %w", fake.err)
	}
	return nil
}

// tryRequest sends one streaming request and checks that it completes.
func tryRequest(ctx context.Context, url, token, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(got, []byte("data: [DONE]")) {
		return fmt.Errorf("status %s: %s", resp.Status, bytes.TrimSpace(got))
	}
	return nil
}

// stopQuietly stops a child at the end of the demo and reports only real
// trouble.
func stopQuietly(c *child) {
	if _, err := c.stop(40 * time.Second); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
	}
}
