package server

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/aigateway/aigateway/breaker"
	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/recorder"
)

// Defaults of Config.
const (
	DefaultHTTPAddress   = "127.0.0.1:8080"
	DefaultGRPCAddress   = "127.0.0.1:9090"
	DefaultShutdownGrace = 30 * time.Second
	// RootDataDir is the data directory when the gateway runs as root. It
	// lies outside /root so that the postgres system user can reach the
	// built-in cluster's folder.
	RootDataDir = "/var/lib/aigateway"
)

// Config configures a gateway server.
type Config struct {
	// HTTPAddress is where the HTTP listener binds. Default
	// DefaultHTTPAddress.
	HTTPAddress string
	// GRPCAddress is where the gRPC listener binds. Default
	// DefaultGRPCAddress.
	GRPCAddress string
	// PostgresURL names the database. Empty starts the built-in Postgres
	// under DataDir.
	PostgresURL string
	// DataDir holds the built-in Postgres and admin.token. Default
	// DefaultDataDir().
	DataDir string
	// ShutdownGrace bounds how long in-flight requests may run after a
	// shutdown signal. Default DefaultShutdownGrace.
	ShutdownGrace time.Duration
	// Version is reported by the health service.
	Version string
	// Logger receives the server's log. Default: discard.
	Logger *slog.Logger
	// EncryptionKeys is the comma-separated list of base64 32-byte keys that
	// seal secrets at rest, the first used for writing. Empty: plain text.
	EncryptionKeys string
	// GRPCTLS turns TLS, and mTLS, on for the gRPC listener.
	GRPCTLS TLSConfig
	// DataPlane tunes the HTTP data plane. The server fills in its
	// Providers, Auth, Recorder, Breakers, Metrics and Logger.
	DataPlane bridge.Options
	// Breakers tunes the circuit breakers. Its Metrics field is filled by
	// the server.
	Breakers breaker.Options
	// Recorder tunes the interception writer. Its Logger and Metrics are
	// filled by the server.
	Recorder recorder.Options
	// Environ is the environment as os.Environ returns it, read for the
	// provider variables (see package providers). Default: none, so no
	// provider is seeded from the environment.
	Environ []string
}

func (c *Config) setDefaults() error {
	if c.HTTPAddress == "" {
		c.HTTPAddress = DefaultHTTPAddress
	}
	if c.GRPCAddress == "" {
		c.GRPCAddress = DefaultGRPCAddress
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = DefaultShutdownGrace
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.DataDir == "" {
		dir, err := DefaultDataDir()
		if err != nil {
			return err
		}
		c.DataDir = dir
	}
	return nil
}

// DefaultDataDir is RootDataDir for root, else aigateway under the user's
// data home ($XDG_DATA_HOME, or ~/.local/share).
func DefaultDataDir() (string, error) {
	if os.Geteuid() == 0 {
		return RootDataDir, nil
	}
	if xdg := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(xdg) {
		return filepath.Join(xdg, "aigateway"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the default data directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", "aigateway"), nil
}

// PrepareDataDir creates the data directory when it is missing.
func PrepareDataDir(dir string) error {
	if dir == "" {
		return errors.New("no data directory given")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	return nil
}
