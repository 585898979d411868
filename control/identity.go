package control

import (
	"context"

	"github.com/aigateway/aigateway/auth"
)

type initiatorKey struct{}

// WithInitiator returns ctx carrying the caller's identity. The transports
// set it: gRPC from the token in the metadata, the in-process pipe from the
// user its caller named when opening it.
func WithInitiator(ctx context.Context, ini auth.Initiator) context.Context {
	return context.WithValue(ctx, initiatorKey{}, ini)
}

// InitiatorFrom returns the caller's identity, if the context carries one.
func InitiatorFrom(ctx context.Context) (auth.Initiator, bool) {
	ini, ok := ctx.Value(initiatorKey{}).(auth.Initiator)
	return ini, ok
}

// caller returns the caller's identity, or an unauthenticated error.
func caller(ctx context.Context) (auth.Initiator, error) {
	ini, ok := InitiatorFrom(ctx)
	if !ok {
		return auth.Initiator{}, &Error{Code: CodeUnauthenticated, Message: "no caller identity"}
	}
	return ini, nil
}
