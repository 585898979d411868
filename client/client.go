// Package client is the Go SDK of the gateway's protobuf services: one
// Client whose methods are the same whether it reaches the gateway over gRPC
// or over the in-memory DRPC pipe of a server in the same process.
package client

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// healthClient is the method set shared by the gRPC and DRPC health clients.
type healthClient interface {
	Check(ctx context.Context, in *aigatewayv1.CheckRequest) (*aigatewayv1.CheckResponse, error)
}

// Client calls the gateway's protobuf services. It is safe for concurrent
// use.
type Client struct {
	health healthClient
	close  func() error
}

// Dial connects to the gRPC listener at address.
func Dial(address string) (*Client, error) {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	return &Client{
		health: grpcHealth{aigatewayv1.NewHealthServiceClient(conn)},
		close:  conn.Close,
	}, nil
}

// NewInProcess reaches a server in the same process through dial, which
// opens one in-memory connection per call (server.Pipe.Dial).
func NewInProcess(dial Dialer) *Client {
	conn := newPipeConn(dial)
	return &Client{
		health: aigatewayv1.NewDRPCHealthServiceClient(conn),
		close:  conn.Close,
	}
}

// Close releases the client's connections.
func (c *Client) Close() error {
	return c.close()
}

// Health reports the gateway's readiness.
func (c *Client) Health(ctx context.Context) (*aigatewayv1.CheckResponse, error) {
	return c.health.Check(ctx, &aigatewayv1.CheckRequest{})
}

// grpcHealth drops the gRPC call options so that the gRPC client has the
// shared method set.
type grpcHealth struct {
	c aigatewayv1.HealthServiceClient
}

func (g grpcHealth) Check(
	ctx context.Context, in *aigatewayv1.CheckRequest,
) (*aigatewayv1.CheckResponse, error) {
	return g.c.Check(ctx, in)
}
