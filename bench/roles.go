package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/cli"
	"github.com/aigateway/aigateway/fakellm"
)

// The bench runs its proxies as child processes, so that their CPU time
// and RSS are their own. These are the roles a child of the bench binary
// plays, named by the first argument.

// runProxy is the bare reverse proxy the gateway is compared with: the
// standard library's, flushing every write, over the gateway's upstream
// transport settings.
func runProxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (loopback)")
	upstream := fs.String("upstream", "", "upstream base URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	target, err := url.Parse(*upstream)
	if err != nil || target.Host == "" {
		return fmt.Errorf("invalid -upstream %q", *upstream)
	}
	if !fakellm.IsLoopback(*listen) || !fakellm.IsLoopback(target.Host) {
		return errors.New("the proxy listens on and forwards to loopback addresses only")
	}

	rp := &httputil.ReverseProxy{
		Rewrite:       func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
		Transport:     bridge.NewTransport(),
		FlushInterval: -1,
		ErrorLog:      log.New(os.Stderr, "proxy: ", log.LstdFlags),
	}
	return serveUntilSignal(*listen, rp)
}

// serveUntilSignal serves h on addr until SIGINT or SIGTERM, then shuts
// down gracefully.
func serveUntilSignal(addr string, h http.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// runProfiledGateway runs `aigateway server` in this process, exactly as
// the aigateway binary does, and serves net/http/pprof on a loopback
// address of its own, so that the gateway can be profiled without a flag
// on the server.
func runProfiledGateway(args []string) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	pprofAddr := fs.String("pprof-address", "127.0.0.1:0", "pprof address (loopback)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !fakellm.IsLoopback(*pprofAddr) {
		return errors.New("pprof listens on a loopback address only")
	}
	ln, err := net.Listen("tcp", *pprofAddr)
	if err != nil {
		return fmt.Errorf("listen for pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	psrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = psrv.Serve(ln) }()
	defer func() { _ = psrv.Close() }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := cli.Run(ctx, append([]string{"server"}, fs.Args()...), cli.Options{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Environ: os.Environ(), Version: "bench",
	})
	if code != 0 {
		return fmt.Errorf("aigateway server exited with status %d", code)
	}
	return nil
}

// fetch saves what url answers into path.
func fetch(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}
