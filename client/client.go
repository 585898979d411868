// Package client is the Go SDK of the gateway's protobuf services: one
// Client whose methods are the same whether it reaches the gateway over gRPC
// or over the in-memory DRPC pipe of a server in the same process. Errors
// are gRPC status errors on both: status.Code(err) tells them apart.
package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// Client calls the gateway's protobuf services. It is safe for concurrent
// use; each field is the generated client of one service.
type Client struct {
	Health        aigatewayv1.HealthServiceClient
	Providers     aigatewayv1.ProviderServiceClient
	Users         aigatewayv1.UserServiceClient
	Interceptions aigatewayv1.InterceptionServiceClient
	Audit         aigatewayv1.AuditServiceClient
	Completions   aigatewayv1.CompletionServiceClient

	close func() error
}

func newClient(cc grpc.ClientConnInterface, closeFn func() error) *Client {
	return &Client{
		Health:        aigatewayv1.NewHealthServiceClient(cc),
		Providers:     aigatewayv1.NewProviderServiceClient(cc),
		Users:         aigatewayv1.NewUserServiceClient(cc),
		Interceptions: aigatewayv1.NewInterceptionServiceClient(cc),
		Audit:         aigatewayv1.NewAuditServiceClient(cc),
		Completions:   aigatewayv1.NewCompletionServiceClient(cc),
		close:         closeFn,
	}
}

// DialOptions configure Dial.
type DialOptions struct {
	// Token is the gateway token sent with every call.
	Token string
	// TLS turns TLS on. CAFile, CertFile and KeyFile refine it.
	TLS bool
	// CAFile holds the certificates that may sign the server's; default:
	// the system's roots.
	CAFile string
	// CertFile and KeyFile hold the client certificate for mTLS.
	CertFile string
	KeyFile  string
}

// Dial connects to the gRPC listener at address.
func Dial(address string, opts DialOptions) (*Client, error) {
	creds := insecure.NewCredentials()
	if opts.TLS || opts.CAFile != "" || opts.CertFile != "" {
		cfg, err := clientTLS(opts)
		if err != nil {
			return nil, err
		}
		creds = credentials.NewTLS(cfg)
	}
	dialOpts := []grpc.DialOption{grpc.WithTransportCredentials(creds)}
	if opts.Token != "" {
		dialOpts = append(dialOpts, grpc.WithPerRPCCredentials(bearer{token: opts.Token}))
	}

	conn, err := grpc.NewClient(address, dialOpts...)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	return newClient(conn, conn.Close), nil
}

// NewInProcess reaches a server in the same process through dial, which
// opens one in-memory connection (server.Pipe.Dial). The pipe carries the
// identity its server side was opened with; no token is sent.
func NewInProcess(dial Dialer) *Client {
	conn := newPipeConn(dial)
	return newClient(drpcAdapter{conn: conn}, conn.Close)
}

// Close releases the client's connections.
func (c *Client) Close() error {
	return c.close()
}

func clientTLS(opts DialOptions) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", opts.CAFile)
		}
	}
	if opts.CertFile != "" || opts.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(opts.CertFile, opts.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// bearer sends the gateway token as authorization metadata.
type bearer struct {
	token string
}

func (b bearer) GetRequestMetadata(_ context.Context, _ ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + strings.TrimSpace(b.token)}, nil
}

// RequireTransportSecurity is false so that a token may be sent over a
// plain loopback connection; Dial turns TLS on whenever it is configured.
func (b bearer) RequireTransportSecurity() bool { return false }
