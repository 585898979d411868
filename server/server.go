package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"storj.io/drpc/drpcserver"

	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/store"
)

// Server is one gateway replica.
type Server struct {
	cfg       Config
	logger    *slog.Logger
	httpLn    net.Listener
	grpcLn    net.Listener
	readiness *readiness
	health    *healthService
	cipher    *dbcrypt.Cipher
	lock      *dataDirLock
	grpcCreds grpc.ServerOption
	// ready is closed once the services are registered; drpc serves the
	// in-memory pipe from then on.
	ready chan struct{}
	drpc  atomic.Pointer[drpcserver.Server]
	store atomic.Pointer[store.Store]

	dataPlane *dataPlane

	env        providers.EnvConfig
	loader     atomic.Pointer[providers.Loader]
	stopLoader func() // set by start; stops the loader and waits for it
}

// New checks the configuration, provider variables included, creates the
// data directory and binds both listeners, so that a bad address fails
// before anything else starts.
func New(cfg Config) (*Server, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	env, err := providers.ParseEnv(cfg.Environ)
	for _, w := range env.Warnings {
		cfg.Logger.Warn(w)
	}
	if err != nil {
		return nil, fmt.Errorf("provider environment: %w", err)
	}
	if err := PrepareDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	creds, err := cfg.GRPCTLS.serverOption()
	if err != nil {
		return nil, err
	}
	cipher, err := NewCipher(cfg.EncryptionKeys)
	if err != nil {
		return nil, err
	}
	var lock *dataDirLock
	if cfg.PostgresURL == "" {
		if lock, err = lockDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
	}

	s := &Server{
		cfg: cfg, logger: cfg.Logger, readiness: newReadiness(), env: env,
		dataPlane: newDataPlane(), grpcCreds: creds, ready: make(chan struct{}),
		cipher: cipher, lock: lock,
	}
	s.health = &healthService{readiness: s.readiness, version: cfg.Version}

	if s.httpLn, err = net.Listen("tcp", cfg.HTTPAddress); err != nil {
		lock.release()
		return nil, fmt.Errorf("listen on http address %s: %w", cfg.HTTPAddress, err)
	}
	if s.grpcLn, err = net.Listen("tcp", cfg.GRPCAddress); err != nil {
		s.httpLn.Close()
		lock.release()
		return nil, fmt.Errorf("listen on grpc address %s: %w", cfg.GRPCAddress, err)
	}
	return s, nil
}

// HTTPAddr returns the address the HTTP listener is bound to.
func (s *Server) HTTPAddr() string { return s.httpLn.Addr().String() }

// GRPCAddr returns the address the gRPC listener is bound to.
func (s *Server) GRPCAddr() string { return s.grpcLn.Addr().String() }

// Providers returns the loader of the runtime provider set, or nil until the
// server has seeded and loaded its providers.
func (s *Server) Providers() *providers.Loader { return s.loader.Load() }

// Pipe returns an in-memory transport to the protobuf services, valid until
// ctx ends. Calls over it wait until the server is ready.
func (s *Server) Pipe(ctx context.Context) *Pipe {
	return &Pipe{ctx: ctx, s: s}
}

// Run serves until ctx ends, then stops accepting, lets in-flight requests
// finish within the grace period, and closes the database (stopping the
// built-in Postgres). It returns nil after a clean shutdown.
func (s *Server) Run(ctx context.Context) error {
	httpSrv := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 2)
	go func() { serveErr <- ignoreClosed(httpSrv.Serve(s.httpLn)) }()
	s.logger.Debug("starting", "http_address", s.HTTPAddr(), "grpc_address", s.GRPCAddr())

	// The gRPC listener is bound already, so callers queue until the
	// services exist; they are served once the database is ready.
	var grpcSrv *grpc.Server
	database, err := s.start(ctx)
	if err == nil {
		grpcSrv, err = s.serveRPC(database, serveErr)
	}
	if err == nil {
		s.logger.Info("serving", "http_address", s.HTTPAddr(), "grpc_address", s.GRPCAddr())
		select {
		case <-ctx.Done():
		case err = <-serveErr:
			err = fmt.Errorf("serve: %w", err)
		}
		s.logger.Info("shutting down", "grace", s.cfg.ShutdownGrace)
	}

	s.readiness.setStatus("shutting down")
	s.shutdown(httpSrv, grpcSrv)
	s.stopDataPlane()
	if s.stopLoader != nil {
		s.stopLoader()
	}
	if database != nil {
		database.Close(context.Background())
	}
	s.lock.release()
	return err
}

// start opens the database, makes the first owner, seeds the providers
// from the environment and starts the provider loader.
func (s *Server) start(ctx context.Context) (*Database, error) {
	s.readiness.setStatus("starting: preparing postgres and migrations")
	database, err := OpenDatabase(ctx, s.cfg.PostgresURL, s.cfg.DataDir, s.logger)
	if err != nil {
		return nil, err
	}
	sealed, err := PrepareEncryption(ctx, database.Store, s.cipher, s.logger)
	if err != nil {
		database.Close(ctx)
		return nil, err
	}
	database.Store = sealed

	path, err := Bootstrap(ctx, database.Store, s.cfg.DataDir)
	if err != nil {
		database.Close(ctx)
		return nil, fmt.Errorf("create first owner: %w", err)
	}
	if path != "" {
		s.logger.Info("created the first owner; its token is in the file",
			"user", AdminUsername, "file", path)
	}

	if err := s.startProviders(ctx, database); err != nil {
		database.Close(ctx)
		return nil, err
	}

	s.startDataPlane(database)
	s.readiness.ready(database.Store)
	s.logger.Info("ready")
	return database, nil
}

// startProviders seeds the providers of the environment and starts the
// loader, which runs until ctx ends or Run shuts down.
func (s *Server) startProviders(ctx context.Context, database *Database) error {
	s.readiness.setStatus("starting: seeding providers")
	if err := providers.Seed(ctx, database.Store, s.env, s.logger); err != nil {
		return err
	}

	loaderCtx, cancel := context.WithCancel(ctx)
	loader := providers.NewLoader(database.Store, s.logger)
	if err := loader.Start(loaderCtx); err != nil {
		cancel()
		return fmt.Errorf("load providers: %w", err)
	}
	s.stopLoader = func() {
		cancel()
		loader.Wait()
	}
	s.loader.Store(loader)
	s.logger.Info("providers loaded", "providers", loader.Current().Len())
	return nil
}

func (s *Server) shutdown(httpSrv *http.Server, grpcSrv *grpc.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()

	stopped := make(chan struct{})
	go func() {
		if grpcSrv != nil {
			grpcSrv.GracefulStop()
		} else {
			_ = s.grpcLn.Close()
		}
		close(stopped)
	}()
	if err := httpSrv.Shutdown(ctx); err != nil {
		s.logger.Warn("http requests cut at the end of the grace period", "error", err)
		_ = httpSrv.Close()
	}
	select {
	case <-stopped:
	case <-ctx.Done():
		if grpcSrv != nil {
			grpcSrv.Stop()
		}
		<-stopped
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.readiness.serveHealthz)
	mux.HandleFunc("GET /readyz", s.readiness.serveReadyz)
	mux.Handle("GET /metrics", s.dataPlane.metricsHandler())
	mux.Handle("/api/v2/", s.dataPlane)
	return mux
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
