package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/breaker"
	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/recorder"
	"github.com/aigateway/aigateway/store"
)

// recorderFlushTimeout bounds how long shutdown waits for queued
// interceptions to be written.
const recorderFlushTimeout = 30 * time.Second

// dataPlane is the HTTP data plane once the database is ready; until then
// its routes answer 503.
type dataPlane struct {
	handler  atomic.Pointer[bridge.Handler]
	recorder *recorder.Recorder
	breakers *breaker.Set
	registry *prometheus.Registry
	metrics  *bridge.Metrics
	recMet   *recorder.Metrics
	brkMet   *breaker.Metrics
}

func newDataPlane() *dataPlane {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &dataPlane{
		registry: reg,
		metrics:  bridge.NewMetrics(reg),
		recMet:   recorder.NewMetrics(reg),
		brkMet:   breaker.NewMetrics(reg),
	}
}

// ServeHTTP serves a data plane route, or 503 until the server is ready.
func (d *dataPlane) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := d.handler.Load()
	if h == nil {
		http.Error(w, "the gateway is starting", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

// startDataPlane starts the recorder and opens the data plane.
func (s *Server) startDataPlane(database *Database) {
	d := s.dataPlane
	recOpts := s.cfg.Recorder
	recOpts.Logger, recOpts.Metrics = s.logger, d.recMet
	d.recorder = recorder.New(database.Store, recOpts)
	d.recorder.Start(context.Background())

	brkOpts := s.cfg.Breakers
	brkOpts.Metrics = d.brkMet
	d.breakers = breaker.NewWithOptions(brkOpts)

	opts := s.cfg.DataPlane
	opts.Providers = s.loader.Load()
	opts.Auth = auth.New(database.Store)
	opts.Secrets = userSecrets{st: database.Store}
	opts.Recorder = d.recorder
	opts.Breakers = d.breakers
	opts.Metrics = d.metrics
	opts.Logger = s.logger
	d.handler.Store(bridge.New(opts))
	if opts.Disabled {
		s.logger.Warn("the data plane is disabled (CODER_AI_GATEWAY_ENABLED=false); " +
			"every data plane route answers 503")
	}
}

// stopDataPlane writes what the recorder still holds.
func (s *Server) stopDataPlane() {
	if s.dataPlane.recorder == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), recorderFlushTimeout)
	defer cancel()
	if err := s.dataPlane.recorder.Close(ctx); err != nil {
		s.logger.Error("flush interceptions at shutdown", "error", err)
	}
}

// userSecrets gives the data plane the users' stored secrets, opened by the
// store's cipher.
type userSecrets struct {
	st *store.Store
}

// UserSecret implements bridge.Secrets.
func (s userSecrets) UserSecret(
	ctx context.Context, userID uuid.UUID, name string,
) (string, bool, error) {
	row, err := s.st.Queries.GetUserSecret(ctx, db.GetUserSecretParams{UserID: userID, Name: name})
	if errors.Is(store.MapError(err), store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read user secret %q: %w", name, err)
	}
	return row.Value, true, nil
}

func (d *dataPlane) metricsHandler() http.Handler {
	return promhttp.HandlerFor(d.registry, promhttp.HandlerOpts{})
}
