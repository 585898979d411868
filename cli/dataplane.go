package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/aigateway/aigateway/breaker"
	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/server"
)

// dataPlaneFlags tune the data plane, the key pools and the breakers.
type dataPlaneFlags struct {
	enabled         bool
	allowBYOK       bool
	dumpDir         string
	headerTimeout   time.Duration
	idleTimeout     time.Duration
	blockingTimeout time.Duration

	keyCooldown      time.Duration
	keyQuotaCooldown time.Duration
	keyProbeInterval time.Duration

	breakerEnabled     bool
	breakerThreshold   uint32
	breakerInterval    time.Duration
	breakerTimeout     time.Duration
	breakerMaxRequests uint32
}

func (f *dataPlaneFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.enabled, "enabled", true,
		"serve the data plane; false answers every data plane route with 503")
	fl.BoolVar(&f.allowBYOK, "allow-byok", true,
		"accept requests that bring their own provider key")
	fl.StringVar(&f.dumpDir, "dump-dir", "",
		"write each interception's request and response under <dir>/<provider name>/")
	fl.DurationVar(&f.headerTimeout, "upstream-header-timeout", bridge.DefaultHeaderTimeout,
		"longest wait for a streaming response's headers")
	fl.DurationVar(&f.idleTimeout, "upstream-idle-timeout", bridge.DefaultIdleTimeout,
		"longest gap between two events of a streaming response")
	fl.DurationVar(&f.blockingTimeout, "upstream-blocking-timeout",
		bridge.DefaultBlockingTimeout, "longest blocking request")

	fl.DurationVar(&f.keyCooldown, "key-cooldown", keyfailover.DefaultCooldown,
		"rest of a rate-limited key whose upstream names no wait")
	fl.DurationVar(&f.keyQuotaCooldown, "key-quota-cooldown", keyfailover.DefaultQuotaCooldown,
		"least rest of a key whose quota is exhausted")
	fl.DurationVar(&f.keyProbeInterval, "key-probe-interval", keyfailover.DefaultProbeInterval,
		"time before a rejected key is tried again")

	fl.BoolVar(&f.breakerEnabled, "circuit-breaker-enabled", true,
		"hold requests back from an overloaded provider")
	fl.Uint32Var(&f.breakerThreshold, "circuit-breaker-failure-threshold",
		breaker.DefaultFailureThreshold, "overload answers in a row that open a breaker")
	fl.DurationVar(&f.breakerInterval, "circuit-breaker-interval", breaker.DefaultInterval,
		"counting window of a closed breaker")
	fl.DurationVar(&f.breakerTimeout, "circuit-breaker-timeout", breaker.DefaultTimeout,
		"how long an open breaker refuses requests")
	fl.Uint32Var(&f.breakerMaxRequests, "circuit-breaker-max-requests",
		breaker.DefaultMaxRequests, "probe requests of a half-open breaker")
}

// apply copies the flags into the server's configuration.
func (f *dataPlaneFlags) apply(cfg *server.Config) {
	cfg.DataPlane = bridge.Options{
		Disabled:        !f.enabled,
		DisallowBYOK:    !f.allowBYOK,
		DumpDir:         f.dumpDir,
		HeaderTimeout:   f.headerTimeout,
		IdleTimeout:     f.idleTimeout,
		BlockingTimeout: f.blockingTimeout,
		Keys: keyfailover.Options{
			Cooldown:      f.keyCooldown,
			QuotaCooldown: f.keyQuotaCooldown,
			ProbeInterval: f.keyProbeInterval,
		},
	}
	cfg.Breakers = breaker.Options{
		Disabled:         !f.breakerEnabled,
		FailureThreshold: f.breakerThreshold,
		Interval:         f.breakerInterval,
		Timeout:          f.breakerTimeout,
		MaxRequests:      f.breakerMaxRequests,
	}
}
