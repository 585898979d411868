package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"storj.io/drpc"
	"storj.io/drpc/drpcerr"
	"storj.io/drpc/drpcmux"
	"storj.io/drpc/drpcserver"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/control"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// healthPrefix is the method prefix of the health service, which answers
// without a token so that probes need none.
const healthPrefix = "/aigateway.v1.HealthService/"

// services holds one implementation of each protobuf service, registered on
// both transports.
type services struct {
	health        *healthService
	providers     *control.ProviderService
	users         *control.UserService
	interceptions *control.InterceptionService
	audit         *control.AuditService
	completions   *control.CompletionService
}

func (s *services) registerGRPC(g *grpc.Server) {
	aigatewayv1.RegisterHealthServiceServer(g, s.health)
	aigatewayv1.RegisterProviderServiceServer(g, s.providers)
	aigatewayv1.RegisterUserServiceServer(g, s.users)
	aigatewayv1.RegisterInterceptionServiceServer(g, s.interceptions)
	aigatewayv1.RegisterAuditServiceServer(g, s.audit)
	aigatewayv1.RegisterCompletionServiceServer(g, grpcCompletions{c: s.completions})
}

func (s *services) registerDRPC(mux *drpcmux.Mux) error {
	return errors.Join(
		aigatewayv1.DRPCRegisterHealthService(mux, s.health),
		aigatewayv1.DRPCRegisterProviderService(mux, s.providers),
		aigatewayv1.DRPCRegisterUserService(mux, s.users),
		aigatewayv1.DRPCRegisterInterceptionService(mux, s.interceptions),
		aigatewayv1.DRPCRegisterAuditService(mux, s.audit),
		aigatewayv1.DRPCRegisterCompletionService(mux, drpcCompletions{s.completions}),
	)
}

// grpcCompletions adapts the completion service to gRPC's stream type.
type grpcCompletions struct {
	aigatewayv1.UnimplementedCompletionServiceServer

	c *control.CompletionService
}

func (g grpcCompletions) Complete(
	req *aigatewayv1.CompleteRequest,
	stream grpc.ServerStreamingServer[aigatewayv1.CompleteResponse],
) error {
	return g.c.Complete(req, stream)
}

// drpcCompletions adapts the completion service to DRPC's stream type.
type drpcCompletions struct {
	c *control.CompletionService
}

func (d drpcCompletions) Complete(
	req *aigatewayv1.CompleteRequest, stream aigatewayv1.DRPCCompletionService_CompleteStream,
) error {
	return d.c.Complete(req, stream)
}

// rpcAuth authenticates gRPC callers by the bearer token in their metadata
// and maps the services' errors to gRPC status errors.
type rpcAuth struct {
	auth   *auth.Authenticator
	logger *slog.Logger
}

func (a *rpcAuth) identify(ctx context.Context, method string) (context.Context, error) {
	if strings.HasPrefix(method, healthPrefix) {
		return ctx, nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) == 0 {
		return nil, status.Error(codes.Unauthenticated,
			"missing gateway token: send authorization: Bearer <token>")
	}
	token := strings.TrimSpace(strings.TrimPrefix(values[0], "Bearer "))
	ini, err := a.auth.Authenticate(ctx, token)
	if errors.Is(err, auth.ErrUnauthenticated) {
		return nil, status.Error(codes.Unauthenticated, "invalid gateway token")
	}
	if err != nil {
		a.logger.Error("authenticate rpc caller", "error", err)
		return nil, status.Error(codes.Unavailable, "cannot check tokens right now")
	}
	return control.WithInitiator(ctx, ini), nil
}

func (a *rpcAuth) unary(
	ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler,
) (any, error) {
	ctx, err := a.identify(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	resp, err := handler(ctx, req)
	return resp, a.grpcError(info.FullMethod, err)
}

func (a *rpcAuth) stream(
	srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler,
) error {
	ctx, err := a.identify(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	return a.grpcError(info.FullMethod, handler(srv, identifiedStream{ServerStream: ss, ctx: ctx}))
}

// identifiedStream carries the caller's identity in its context.
type identifiedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s identifiedStream) Context() context.Context { return s.ctx }

// grpcError maps a service error to a gRPC status error.
func (a *rpcAuth) grpcError(method string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	code, msg := serviceError(a.logger, method, err)
	return status.Error(codes.Code(code), msg)
}

// serviceError returns the code and the message a caller may see, logging
// internal errors, whose detail stays in the server's log.
func serviceError(logger *slog.Logger, method string, err error) (control.Code, string) {
	var e *control.Error
	if !errors.As(err, &e) {
		if errors.Is(err, context.Canceled) {
			return control.Code(codes.Canceled), err.Error()
		}
		logger.Error("rpc failed", "method", method, "error", err)
		return control.CodeInternal, "internal error"
	}
	if e.Code == control.CodeInternal {
		logger.Error("rpc failed", "method", method, "error", e.Unwrap(), "what", e.Message)
	}
	return e.Code, e.Error()
}

// drpcErrors maps the services' errors to DRPC errors with gRPC's code
// numbers, which the client turns back into status errors.
type drpcErrors struct {
	handler drpc.Handler
	logger  *slog.Logger
}

// HandleRPC serves one RPC and maps its error.
func (d drpcErrors) HandleRPC(stream drpc.Stream, rpc string) error {
	err := d.handler.HandleRPC(stream, rpc)
	if err == nil {
		return nil
	}
	code, msg := serviceError(d.logger, rpc, err)
	return drpcerr.WithCode(errors.New(msg), uint64(code))
}

// Pipe serves the protobuf services to callers in the same process over
// in-memory connections, with no socket.
type Pipe struct {
	ctx context.Context
	s   *Server
}

// DialAs opens one in-memory connection whose calls run for ini, and
// serves it until the connection or the server closes. The caller owns the
// returned end. Calls wait until the server is ready.
func (p *Pipe) DialAs(ini auth.Initiator) net.Conn {
	return p.dial(control.WithInitiator(p.ctx, ini))
}

// Dial opens one in-memory connection without an identity: only the
// health service answers on it.
func (p *Pipe) Dial() net.Conn {
	return p.dial(p.ctx)
}

func (p *Pipe) dial(ctx context.Context) net.Conn {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		select {
		case <-p.s.ready:
		case <-ctx.Done():
			return
		}
		_ = p.s.drpc.Load().ServeOne(ctx, server)
	}()
	return client
}

func newDRPCServer(svc *services, logger *slog.Logger) (*drpcserver.Server, error) {
	mux := drpcmux.New()
	if err := svc.registerDRPC(mux); err != nil {
		return nil, fmt.Errorf("register drpc services: %w", err)
	}
	return drpcserver.New(drpcErrors{handler: mux, logger: logger}), nil
}
