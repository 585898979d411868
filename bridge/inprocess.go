package bridge

import (
	"context"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/recorder"
)

type initiatorKey struct{}

type observerKey struct{}

// WithInitiator marks a request as made, for ini, by trusted code in the
// same process, such as the completion service, which has authenticated
// its caller already: the handler takes no gateway token from it. A
// credential in its Authorization or X-Api-Key header makes it a BYOK
// request.
func WithInitiator(ctx context.Context, ini auth.Initiator) context.Context {
	return context.WithValue(ctx, initiatorKey{}, ini)
}

// WithObserver has the handler call fn with the request's interception once
// it is complete, just before it is recorded. fn must not change it.
func WithObserver(ctx context.Context, fn func(*recorder.Interception)) context.Context {
	return context.WithValue(ctx, observerKey{}, fn)
}

func trustedInitiator(ctx context.Context) (auth.Initiator, bool) {
	ini, ok := ctx.Value(initiatorKey{}).(auth.Initiator)
	return ini, ok
}

func observe(ctx context.Context, ic *recorder.Interception) {
	if fn, ok := ctx.Value(observerKey{}).(func(*recorder.Interception)); ok {
		fn(ic)
	}
}
