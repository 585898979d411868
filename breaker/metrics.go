package breaker

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the breakers' Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	state *prometheus.GaugeVec
	trips *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg, or leaves them
// unregistered when reg is nil. Call it once per registry: registering twice
// panics.
//
//   - aigateway_breaker_state{provider,endpoint,model}: 0 closed, 1 half-open,
//     2 open (gauge). An open breaker turns half-open when it is next asked,
//     so the gauge may show open a little past Options.Timeout.
//   - aigateway_breaker_trips_total{provider,endpoint,model}: times a breaker
//     opened, from closed or after a failed probe.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	labels := []string{"provider", "endpoint", "model"}
	return &Metrics{
		state: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "aigateway_breaker_state",
			Help: "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
		}, labels),
		trips: f.NewCounterVec(prometheus.CounterOpts{
			Name: "aigateway_breaker_trips_total",
			Help: "Times a circuit breaker opened.",
		}, labels),
	}
}
