package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// runBench runs the matrix of targets, modes and rates, and prints the
// table and the checks. It fails when a check fails.
func runBench(args []string) error {
	cfg, err := parseConfig(args)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()

	b := &bench{cfg: cfg}
	if b.self, err = os.Executable(); err != nil {
		return fmt.Errorf("find the bench binary: %w", err)
	}
	if b.dir, err = os.MkdirTemp("", "aigateway-bench-"); err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(os.Stderr, "bench: logs and data in %s\n", b.dir)
	} else {
		defer os.RemoveAll(b.dir)
	}
	if err := b.prepare(ctx); err != nil {
		return err
	}
	defer b.close()

	printHeader(b)
	var results []*result
	for _, mode := range cfg.modes {
		for _, rate := range cfg.rates {
			for _, target := range cfg.targets {
				fmt.Fprintf(os.Stderr, "bench: %s %s at %d/s ...", target, mode, rate)
				res, err := b.run(ctx, target, mode, rate)
				if err != nil {
					fmt.Fprintln(os.Stderr)
					return fmt.Errorf("%s %s at %d/s: %w", target, mode, rate, err)
				}
				fmt.Fprintf(os.Stderr, " %d ok of %d, p50 %.2fms\n", res.Report.OK,
					res.Report.Sent, res.Report.Latency.P50)
				results = append(results, res)
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
	}

	printTable(os.Stdout, results)
	failed := printChecks(os.Stdout, results)
	if cfg.jsonFile != "" {
		if err := writeJSON(cfg.jsonFile, results); err != nil {
			return fmt.Errorf("write %s: %w", cfg.jsonFile, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of the issue's targets missed", failed)
	}
	return nil
}

// prepare builds the gateway when needed, opens the database and starts
// fakellm.
func (b *bench) prepare(ctx context.Context) error {
	var err error
	if b.cfg.aigateway == "" {
		if b.cfg.aigateway, err = buildGateway(ctx, b.dir); err != nil {
			return err
		}
	}
	if b.cfg.profileDir != "" {
		if err := os.MkdirAll(b.cfg.profileDir, 0o755); err != nil {
			return err
		}
	}
	b.gwData = filepath.Join(b.dir, "gateway")
	if err := os.MkdirAll(b.gwData, 0o700); err != nil {
		return err
	}
	if b.db, err = openDatabase(ctx, b.cfg.postgresURL, b.dir); err != nil {
		return err
	}

	if b.fakeAddr, err = freeAddress(); err != nil {
		return err
	}
	b.fake, err = startChild(b.dir, "fakellm", childEnv(), b.cfg.aigateway, "fakellm",
		"--address", b.fakeAddr, "--keys", upstreamKey, "--log-level", "warn",
		"--delay", b.cfg.delay.String(), "--chunks", strconv.Itoa(b.cfg.chunks),
		"--chunk-delay", b.cfg.chunkDelay.String())
	if err != nil {
		return err
	}
	return b.fake.waitReady("http://"+b.fakeAddr+"/healthz", 20*time.Second)
}

// close stops fakellm and drops the database.
func (b *bench) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if b.fake != nil {
		if _, err := b.fake.stop(10 * time.Second); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		}
	}
	if b.db != nil {
		b.db.close(ctx)
	}
}

// printHeader says what runs where, and how busy the machine is.
func printHeader(b *bench) {
	c := b.cfg
	fmt.Printf("aigateway bench: %s requests to fakellm (%s to the first byte; streams of "+
		"%d chunks %s apart), %s per run after a %s warm-up\n",
		c.api, c.delay, c.chunks, c.chunkDelay, c.duration, c.warmup)
	fmt.Printf("machine: %d CPUs, load average %s; recording to %s\n",
		runtime.NumCPU(), loadAverage(), b.db.where)
	fmt.Println("the load generator, fakellm, the proxy under test and Postgres share " +
		"the machine")
}

// loadAverage reads the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
