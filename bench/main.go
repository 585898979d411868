// Command bench measures what aigateway adds to a request. Against fakellm,
// it loads three targets one after another, at each rate and in each mode:
// fakellm itself (direct), a bare httputil.ReverseProxy, and aigateway with
// recording to Postgres. It prints the latency each proxy adds over direct
// calls, each proxy's CPU time per request and peak RSS, Postgres's CPU time
// per request, the errors, and whether the gateway recorded every request;
// then it checks the targets of the performance issue.
//
//	go run ./bench                # the whole matrix, about 8 minutes
//	go run ./bench -rates 1000 -modes streaming -targets proxy,gateway
//	go run ./bench demo           # fakellm and a gateway in front of it
//
// Each flag may also be set by an environment variable, named in its help,
// so that `make bench BENCH_DURATION=5s` works. Every process listens on
// 127.0.0.1. The proxies run as child processes of the bench binary (or of
// the aigateway binary), so that their CPU time and RSS are their own.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aigateway/aigateway/scaletest"
)

func main() {
	var err error
	switch role := cmp.Or(argAt(1), ""); role {
	case "proxy":
		err = runProxy(os.Args[2:])
	case "gateway":
		err = runProfiledGateway(os.Args[2:])
	case "demo":
		err = runDemo(os.Args[2:])
	default:
		err = runBench(os.Args[1:])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func argAt(i int) string {
	if i < len(os.Args) {
		return os.Args[i]
	}
	return ""
}

// config is what the bench measures.
type config struct {
	aigateway   string
	rates       []int
	modes       []string
	targets     []string
	api         scaletest.API
	duration    time.Duration
	warmup      time.Duration
	delay       time.Duration
	chunks      int
	chunkDelay  time.Duration
	postgresURL string
	profileDir  string
	jsonFile    string
	keep        bool
}

// parseConfig reads the flags, each defaulting to its environment
// variable.
func parseConfig(args []string) (config, error) {
	var c config
	var rates, modes, targets, api string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&c.aigateway, "aigateway", env("BENCH_AIGATEWAY", ""),
		"aigateway binary (BENCH_AIGATEWAY; default: built from ./cmd/aigateway)")
	fs.StringVar(&rates, "rates", env("BENCH_RATES", "200,500,1000"),
		"request rates, a second (BENCH_RATES)")
	fs.StringVar(&modes, "modes", env("BENCH_MODES", "blocking,streaming"),
		"blocking, streaming or both (BENCH_MODES)")
	fs.StringVar(&targets, "targets", env("BENCH_TARGETS", "direct,proxy,gateway"),
		"targets, in order (BENCH_TARGETS)")
	fs.StringVar(&api, "api", env("BENCH_API", "chat"),
		"request shape: chat, responses or messages (BENCH_API)")
	fs.DurationVar(&c.duration, "duration", envDuration("BENCH_DURATION", 20*time.Second),
		"measured time of each run (BENCH_DURATION)")
	fs.DurationVar(&c.warmup, "warmup", envDuration("BENCH_WARMUP", 2*time.Second),
		"warm-up before each run, at the same rate (BENCH_WARMUP)")
	fs.DurationVar(&c.delay, "delay", 50*time.Millisecond, "fakellm's delay before the first byte")
	fs.IntVar(&c.chunks, "chunks", 20, "fakellm's chunks of a streaming answer")
	fs.DurationVar(&c.chunkDelay, "chunk-delay", 5*time.Millisecond,
		"fakellm's delay between two chunks")
	fs.StringVar(&c.postgresURL, "postgres-url", env("BENCH_POSTGRES_URL", ""),
		"Postgres URL of a user that may create databases (BENCH_POSTGRES_URL; default: "+
			"127.0.0.1:5432 when it answers, else a private cluster)")
	fs.StringVar(&c.profileDir, "profile", env("BENCH_PROFILE", ""),
		"save CPU and allocation profiles of each gateway run in this folder "+
			"(BENCH_PROFILE); profiling costs the gateway some CPU")
	fs.StringVar(&c.jsonFile, "json", env("BENCH_JSON", ""),
		"also write the results as JSON to this file (BENCH_JSON)")
	fs.BoolVar(&c.keep, "keep", false, "keep the bench's folder: logs, data dir")
	if err := fs.Parse(args); err != nil {
		return c, err
	}

	var err error
	if c.rates, err = parseInts(rates); err != nil {
		return c, fmt.Errorf("invalid -rates: %w", err)
	}
	c.modes = splitList(modes)
	for _, m := range c.modes {
		if m != "blocking" && m != "streaming" {
			return c, fmt.Errorf("invalid mode %q: want blocking or streaming", m)
		}
	}
	c.targets = splitList(targets)
	for _, t := range c.targets {
		if t != targetDirect && t != targetProxy && t != targetGateway {
			return c, fmt.Errorf("invalid target %q: want direct, proxy or gateway", t)
		}
	}
	if c.api, err = scaletest.ParseAPI(api); err != nil {
		return c, err
	}
	if c.duration <= 0 || c.warmup < 0 {
		return c, errors.New("the duration must be above zero and the warm-up not negative")
	}
	return c, nil
}

func env(name, def string) string {
	return cmp.Or(os.Getenv(name), def)
}

func envDuration(name string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(os.Getenv(name))
	if err != nil {
		return def
	}
	return d
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("no rate given")
	}
	return out, nil
}

// signalContext is canceled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
