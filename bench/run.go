package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aigateway/aigateway/scaletest"
)

// Targets of a run.
const (
	targetDirect  = "direct"
	targetProxy   = "proxy"
	targetGateway = "gateway"
)

// upstreamKey is the key fakellm accepts, which the gateway holds and the
// direct and proxy runs present.
const upstreamKey = "sk-bench-upstream-0000000000000001"

// result is one run: one target, mode and rate.
type result struct {
	Target string            `json:"target"`
	Mode   string            `json:"mode"`
	Rate   int               `json:"rate"`
	Report *scaletest.Report `json:"report"`
	// CPUPerRequest is the proxy's CPU time per measured request, in µs.
	CPUPerRequest float64 `json:"cpu_per_request_us,omitempty"`
	// PeakRSS is the proxy's peak resident set, in bytes.
	PeakRSS int64 `json:"peak_rss_bytes,omitempty"`
	// PostgresCPUPerRequest is the CPU time per request of the Postgres
	// backends of the bench's database, in µs.
	PostgresCPUPerRequest float64 `json:"postgres_cpu_per_request_us,omitempty"`
	// FakeCPUPerRequest is fakellm's CPU time per request, in µs.
	FakeCPUPerRequest float64 `json:"fakellm_cpu_per_request_us"`
	// Interceptions counts the interceptions the run added to Postgres.
	Interceptions int64 `json:"interceptions,omitempty"`
	// Dropped counts the interceptions the recorder dropped, from its
	// metrics.
	Dropped int64 `json:"dropped,omitempty"`
	// Problems lists what went wrong around the load: a proxy that did not
	// stop, a profile that could not be saved.
	Problems []string `json:"problems,omitempty"`
}

// sentAll counts every request sent, warm-up included.
func (r *result) sentAll() int64 {
	return r.Report.Sent + r.Report.WarmupSent
}

// bench is the state of a bench run.
type bench struct {
	cfg      config
	dir      string
	self     string
	fake     *child
	fakeAddr string
	db       *database
	gwData   string
}

// run measures one target at one mode and rate.
func (b *bench) run(ctx context.Context, target, mode string, rate int) (*result, error) {
	res := &result{Target: target, Mode: mode, Rate: rate}
	name := fmt.Sprintf("%s-%s-%d", target, mode, rate)
	var proxy *child
	var gw *gatewayRun
	var err error

	url, token := "http://"+b.fakeAddr, upstreamKey
	switch target {
	case targetProxy:
		if proxy, url, err = b.startProxy(name); err != nil {
			return nil, err
		}
	case targetGateway:
		if gw, err = b.startGateway(ctx, name); err != nil {
			return nil, err
		}
		proxy, url, token = gw.child, gw.url(b.cfg.api), gw.token
	}

	var cpu0, pg0, fake0 time.Duration
	var profiling sync.WaitGroup
	opts := scaletest.Options{
		URL: url, Token: token, API: b.cfg.api, Stream: mode == "streaming",
		Rate: float64(rate), Duration: b.cfg.duration, Warmup: b.cfg.warmup,
		Timeout: 30 * time.Second,
		OnMeasure: func() {
			fake0, _ = b.fake.cpu()
			if proxy != nil {
				cpu0, _ = proxy.cpu()
			}
			if gw != nil {
				pg0, _ = b.db.backendCPU(ctx)
				if gw.pprof != "" {
					profiling.Go(func() { res.problem(gw.cpuProfile(ctx, b.cfg.duration)) })
				}
			}
		},
	}
	res.Report, err = scaletest.Run(ctx, opts)
	if err != nil {
		if proxy != nil {
			_, _ = proxy.stop(10 * time.Second)
		}
		return nil, err
	}
	profiling.Wait()

	if gw != nil {
		b.finishGateway(ctx, gw, res)
	}
	n := float64(max(res.Report.Sent, 1))
	if fake1, err := b.fake.cpu(); err == nil {
		res.FakeCPUPerRequest = micros(fake1-fake0) / n
	}
	if proxy != nil {
		if cpu1, err := proxy.cpu(); err == nil {
			res.CPUPerRequest = micros(cpu1-cpu0) / n
		}
		if gw != nil {
			pg1, _ := b.db.backendCPU(ctx)
			res.PostgresCPUPerRequest = micros(pg1-pg0) / n
		}
		ru, err := proxy.stop(40 * time.Second)
		res.problem(err)
		if ru != nil {
			res.PeakRSS = ru.Maxrss * 1024
		}
	}
	if gw != nil {
		// Close flushed the recorder's queue: count once more.
		n, err := b.db.interceptions(ctx)
		res.problem(err)
		res.Interceptions = n - gw.before
	}
	return res, nil
}

func (r *result) problem(err error) {
	if err != nil {
		r.Problems = append(r.Problems, err.Error())
	}
}

func micros(d time.Duration) float64 {
	return float64(d) / float64(time.Microsecond)
}

// startProxy starts the bare reverse proxy in front of fakellm.
func (b *bench) startProxy(name string) (*child, string, error) {
	addr, err := freeAddress()
	if err != nil {
		return nil, "", err
	}
	c, err := startChild(b.dir, name, childEnv(), b.self,
		"proxy", "-listen", addr, "-upstream", "http://"+b.fakeAddr)
	if err != nil {
		return nil, "", err
	}
	if err := c.waitReady("http://"+addr+"/healthz", 20*time.Second); err != nil {
		_, _ = c.stop(5 * time.Second)
		return nil, "", err
	}
	return c, "http://" + addr, nil
}

// gatewayRun is an aigateway server started for one run.
type gatewayRun struct {
	child  *child
	addr   string
	pprof  string // the pprof address, when profiling
	prefix string // where profiles go: <profile dir>/<run name>
	token  string
	before int64 // interceptions before the run
}

// url is where the gateway serves the provider of api.
func (g *gatewayRun) url(api scaletest.API) string {
	name := "fake-openai"
	if api == scaletest.APIMessages {
		name = "fake-anthropic"
	}
	return "http://" + g.addr + "/api/v2/ai-gateway/" + name
}

// startGateway starts aigateway server on the bench's database, with an
// OpenAI and an Anthropic provider pointed at fakellm.
func (b *bench) startGateway(ctx context.Context, name string) (*gatewayRun, error) {
	httpAddr, err1 := freeAddress()
	grpcAddr, err2 := freeAddress()
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	before, err := b.db.interceptions(ctx)
	if err != nil {
		return nil, err
	}
	env := childEnv(
		"CODER_AI_GATEWAY_PROVIDER_0_TYPE=openai",
		"CODER_AI_GATEWAY_PROVIDER_0_NAME=fake-openai",
		"CODER_AI_GATEWAY_PROVIDER_0_KEY="+upstreamKey,
		"CODER_AI_GATEWAY_PROVIDER_0_BASE_URL=http://"+b.fakeAddr+"/v1",
		"CODER_AI_GATEWAY_PROVIDER_1_TYPE=anthropic",
		"CODER_AI_GATEWAY_PROVIDER_1_NAME=fake-anthropic",
		"CODER_AI_GATEWAY_PROVIDER_1_KEY="+upstreamKey,
		"CODER_AI_GATEWAY_PROVIDER_1_BASE_URL=http://"+b.fakeAddr,
	)
	args := []string{
		"--http-address", httpAddr, "--grpc-address", grpcAddr,
		"--postgres-url", b.db.url, "--data-dir", b.gwData, "--log-format", "json",
	}

	g := &gatewayRun{addr: httpAddr, before: before}
	path := b.cfg.aigateway
	if b.cfg.profileDir != "" {
		if g.pprof, err = freeAddress(); err != nil {
			return nil, err
		}
		g.prefix = filepath.Join(b.cfg.profileDir, name)
		path = b.self
		args = append([]string{"gateway", "-pprof-address", g.pprof, "--"}, args...)
	} else {
		args = append([]string{"server"}, args...)
	}
	if g.child, err = startChild(b.dir, name, env, path, args...); err != nil {
		return nil, err
	}
	if err := g.child.waitReady("http://"+httpAddr+"/readyz", 90*time.Second); err != nil {
		_, _ = g.child.stop(10 * time.Second)
		return nil, err
	}
	tok, err := os.ReadFile(filepath.Join(b.gwData, "admin.token"))
	if err != nil {
		_, _ = g.child.stop(10 * time.Second)
		return nil, fmt.Errorf("read the gateway's admin token: %w", err)
	}
	g.token = strings.TrimSpace(string(tok))
	return g, nil
}

// finishGateway waits for the recorder to write every interception, reads
// its drop counter and saves the allocation profile.
func (b *bench) finishGateway(ctx context.Context, g *gatewayRun, res *result) {
	_, err := b.db.waitInterceptions(ctx, g.before+res.sentAll(), 30*time.Second)
	res.problem(err)
	dropped, err := droppedInterceptions(ctx, "http://"+g.addr+"/metrics")
	res.problem(err)
	res.Dropped = dropped
	if g.pprof != "" {
		res.problem(fetch(ctx, "http://"+g.pprof+"/debug/pprof/allocs",
			g.prefix+".allocs.pprof"))
	}
}

// cpuProfile saves a CPU profile of the measured time.
func (g *gatewayRun) cpuProfile(ctx context.Context, d time.Duration) error {
	secs := max(int(d.Seconds())-1, 1)
	return fetch(ctx, "http://"+g.pprof+"/debug/pprof/profile?seconds="+strconv.Itoa(secs),
		g.prefix+".cpu.pprof")
}

// droppedInterceptions sums aigateway_recorder_interceptions_dropped_total
// over its reasons.
func droppedInterceptions(ctx context.Context, url string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("read the gateway's metrics: %w", err)
	}
	defer resp.Body.Close()
	var total float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "aigateway_recorder_interceptions_dropped_total") {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("read the gateway's metrics: %q: %w", line, err)
		}
		total += v
	}
	return int64(total), sc.Err()
}

// writeJSON saves the results.
func writeJSON(path string, results []*result) error {
	b, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
