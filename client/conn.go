package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"storj.io/drpc"
	"storj.io/drpc/drpcerr"
)

// drpcAdapter presents a DRPC connection as a grpc.ClientConnInterface, so
// that the generated gRPC clients, and with them one Client API, work over
// the in-memory pipe too. DRPC and gRPC name methods alike
// ("/package.Service/Method").
type drpcAdapter struct {
	conn drpc.Conn
}

var _ grpc.ClientConnInterface = drpcAdapter{}

// protoEncoding is the DRPC encoding of protobuf messages.
type protoEncoding struct{}

func (protoEncoding) Marshal(msg drpc.Message) ([]byte, error) {
	m, ok := msg.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("marshal %T: not a protobuf message", msg)
	}
	return proto.Marshal(m)
}

func (protoEncoding) Unmarshal(buf []byte, msg drpc.Message) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return fmt.Errorf("unmarshal %T: not a protobuf message", msg)
	}
	return proto.Unmarshal(buf, m)
}

// Invoke runs a unary RPC.
func (a drpcAdapter) Invoke(
	ctx context.Context, method string, args, reply any, _ ...grpc.CallOption,
) error {
	return statusError(ctx, a.conn.Invoke(ctx, method, protoEncoding{}, args, reply))
}

// NewStream starts a stream.
func (a drpcAdapter) NewStream(
	ctx context.Context, _ *grpc.StreamDesc, method string, _ ...grpc.CallOption,
) (grpc.ClientStream, error) {
	s, err := a.conn.NewStream(ctx, method, protoEncoding{})
	if err != nil {
		return nil, statusError(ctx, err)
	}
	return &drpcStream{ctx: ctx, s: s}, nil
}

// drpcStream presents a DRPC stream as a grpc.ClientStream.
type drpcStream struct {
	ctx context.Context
	s   drpc.Stream
}

func (d *drpcStream) Header() (metadata.MD, error) { return metadata.MD{}, nil }
func (d *drpcStream) Trailer() metadata.MD         { return metadata.MD{} }
func (d *drpcStream) Context() context.Context     { return d.ctx }

func (d *drpcStream) CloseSend() error {
	return statusError(d.ctx, d.s.CloseSend())
}

func (d *drpcStream) SendMsg(m any) error {
	return statusError(d.ctx, d.s.MsgSend(m, protoEncoding{}))
}

func (d *drpcStream) RecvMsg(m any) error {
	err := d.s.MsgRecv(m, protoEncoding{})
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return statusError(d.ctx, err)
}

// statusError turns a DRPC error into the gRPC status error a gRPC client
// would have returned: the server sends gRPC's code numbers over DRPC.
func statusError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	if code := drpcerr.Code(err); code != 0 {
		return status.Error(codes.Code(code), err.Error())
	}
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	return status.Error(codes.Unavailable, err.Error())
}
