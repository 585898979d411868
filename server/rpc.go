package server

import (
	"context"
	"fmt"
	"net"

	"google.golang.org/grpc"
	"storj.io/drpc/drpcmux"
	"storj.io/drpc/drpcserver"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// services holds one implementation of each protobuf service, registered on
// both transports.
type services struct {
	health *healthService
}

func (s *services) registerGRPC(g *grpc.Server) {
	aigatewayv1.RegisterHealthServiceServer(g, s.health)
}

func (s *services) registerDRPC(mux *drpcmux.Mux) error {
	if err := aigatewayv1.DRPCRegisterHealthService(mux, s.health); err != nil {
		return fmt.Errorf("register health service: %w", err)
	}
	return nil
}

// Pipe serves the protobuf services to callers in the same process over
// in-memory connections, with no socket.
type Pipe struct {
	ctx context.Context
	srv *drpcserver.Server
}

// Dial opens one in-memory connection and serves it until the connection
// or the server closes. The caller owns the returned end.
func (p *Pipe) Dial() net.Conn {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		_ = p.srv.ServeOne(p.ctx, server)
	}()
	return client
}
