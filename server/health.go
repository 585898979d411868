package server

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/store"
)

// readinessTimeout bounds the Postgres ping of one readiness check.
const readinessTimeout = 2 * time.Second

// readiness tracks whether the gateway can serve: the store is set once the
// migrations are applied, and each check pings Postgres.
type readiness struct {
	store  atomic.Pointer[store.Store]
	status atomic.Pointer[string]
}

func newReadiness() *readiness {
	r := &readiness{}
	r.setStatus("starting")
	return r
}

func (r *readiness) setStatus(s string) {
	r.status.Store(&s)
}

// ready marks the migrations applied on st.
func (r *readiness) ready(st *store.Store) {
	r.store.Store(st)
}

// check returns "" when ready, else the reason.
func (r *readiness) check(ctx context.Context) string {
	st := r.store.Load()
	if st == nil {
		return *r.status.Load()
	}

	ctx, cancel := context.WithTimeout(ctx, readinessTimeout)
	defer cancel()
	// The reason is served to anyone who asks, so it names no address,
	// user or database.
	if err := st.Pool.Ping(ctx); err != nil {
		return "postgres does not answer"
	}
	return ""
}

func (r *readiness) serveHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (r *readiness) serveReadyz(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if reason := r.check(req.Context()); reason != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready: " + reason + "\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// healthService serves aigatewayv1.HealthService over gRPC and DRPC: its
// unary method has the same signature on both.
type healthService struct {
	aigatewayv1.UnimplementedHealthServiceServer

	readiness *readiness
	version   string
}

// Check reports readiness.
func (h *healthService) Check(
	ctx context.Context, _ *aigatewayv1.CheckRequest,
) (*aigatewayv1.CheckResponse, error) {
	reason := h.readiness.check(ctx)
	return &aigatewayv1.CheckResponse{
		Ready: reason == "", Reason: reason, Version: h.version,
	}, nil
}
