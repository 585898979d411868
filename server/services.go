package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/breaker"
	"github.com/aigateway/aigateway/client"
	"github.com/aigateway/aigateway/control"
	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/store"
)

// TLSConfig turns TLS on for the gRPC listener.
type TLSConfig struct {
	// CertFile and KeyFile hold the server's certificate and key; TLS is on
	// when both are set.
	CertFile string
	KeyFile  string
	// ClientCAFile, when set, requires every client to present a
	// certificate signed by one of its certificates (mTLS).
	ClientCAFile string
}

// serverOption loads the certificates, or returns nil for plain gRPC.
func (c TLSConfig) serverOption() (grpc.ServerOption, error) {
	if c.CertFile == "" && c.KeyFile == "" {
		if c.ClientCAFile != "" {
			return nil, fmt.Errorf("--grpc-tls-client-ca-file needs --grpc-tls-cert-file " +
				"and --grpc-tls-key-file")
		}
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("load grpc tls certificate: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if c.ClientCAFile != "" {
		pem, err := os.ReadFile(c.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("read grpc client CA file: %w", err)
		}
		cfg.ClientCAs = x509.NewCertPool()
		if !cfg.ClientCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("grpc client CA file %s holds no PEM certificate",
				c.ClientCAFile)
		}
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return grpc.Creds(credentials.NewTLS(cfg)), nil
}

// serveRPC builds the protobuf services over the ready database, serves
// them on gRPC and opens the in-memory pipe.
func (s *Server) serveRPC(database *Database, serveErr chan<- error) (*grpc.Server, error) {
	st := database.Store
	svc := &services{
		health:        s.health,
		providers:     control.NewProviderService(st, health{s.dataPlane}),
		users:         control.NewUserService(st),
		interceptions: control.NewInterceptionService(st),
		audit:         control.NewAuditService(st),
		completions:   control.NewCompletionService(s.dataPlane),
	}

	drpcSrv, err := newDRPCServer(svc, s.logger)
	if err != nil {
		return nil, err
	}
	s.drpc.Store(drpcSrv)
	s.store.Store(st)
	close(s.ready)

	a := &rpcAuth{auth: auth.New(st), logger: s.logger}
	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(a.unary),
		grpc.ChainStreamInterceptor(a.stream),
	}
	if s.grpcCreds != nil {
		opts = append(opts, s.grpcCreds)
	}
	grpcSrv := grpc.NewServer(opts...)
	svc.registerGRPC(grpcSrv)
	go func() { serveErr <- grpcSrv.Serve(s.grpcLn) }()
	return grpcSrv, nil
}

// health reports provider health from the data plane.
type health struct {
	d *dataPlane
}

// ProviderHealth returns the provider's key and breaker states.
func (h health) ProviderHealth(provider string) ([]keyfailover.KeyState, []breaker.Status) {
	bh := h.d.handler.Load()
	if bh == nil {
		return nil, nil
	}
	var breakers []breaker.Status
	for _, b := range bh.BreakerStates() {
		if b.Provider == provider {
			breakers = append(breakers, b)
		}
	}
	return bh.KeyStates()[provider], breakers
}

// InProcessClient returns a client of the protobuf services over the
// in-memory pipe, whose calls run for the user named username: an agent in
// the same process states whom it acts for when it opens the pipe. The
// client is valid until ctx ends; calls wait until the server is ready.
func (s *Server) InProcessClient(ctx context.Context, username string) (*client.Client, error) {
	select {
	case <-s.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	u, err := s.store.Load().Queries.GetUserByUsername(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("in-process client for %q: %w", username, store.MapError(err))
	}
	ini := auth.Initiator{UserID: u.ID, Username: u.Username, Role: auth.Role(u.Role)}
	pipe := s.Pipe(ctx)
	return client.NewInProcess(func() net.Conn { return pipe.DialAs(ini) }), nil
}

// DataPlane returns the HTTP data plane's handler, for serving requests in
// the same process (client.RoundTripper).
func (s *Server) DataPlane() http.Handler {
	return s.dataPlane
}
