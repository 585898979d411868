package keyfailover

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// The outcome label values of the exhaustion counter.
const (
	outcomeTransient = "transient"
	outcomePermanent = "permanent"
	outcomeNoKeys    = "no_keys"
)

// Metrics are the key pools' Prometheus metrics, shared by every pool of the
// process and told apart by the provider label. A nil *Metrics records
// nothing.
type Metrics struct {
	keys        *prometheus.GaugeVec
	transitions *prometheus.CounterVec
	exhaustions *prometheus.CounterVec
	failovers   *prometheus.HistogramVec
}

// NewMetrics creates the metrics and registers them with reg, or leaves them
// unregistered when reg is nil. Call it once per registry: registering twice
// panics.
//
//   - aigateway_keyfailover_keys{provider,state}: keys by state (gauge).
//   - aigateway_keyfailover_transitions_total{provider,reason}: keys marked,
//     by Reason, or returned to valid (cooldown_ended, probe_succeeded).
//   - aigateway_keyfailover_exhaustions_total{provider,outcome}: walks that
//     ran out of keys: transient, permanent or no_keys.
//   - aigateway_keyfailover_request_failovers{provider}: keys each walk moved
//     past after a failover verdict (histogram).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		keys: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "aigateway_keyfailover_keys",
			Help: "Provider keys by state: valid, temporary or permanent.",
		}, []string{"provider", "state"}),
		transitions: f.NewCounterVec(prometheus.CounterOpts{
			Name: "aigateway_keyfailover_transitions_total",
			Help: "Key state transitions, by the reason a key was marked or returned to valid.",
		}, []string{"provider", "reason"}),
		exhaustions: f.NewCounterVec(prometheus.CounterOpts{
			Name: "aigateway_keyfailover_exhaustions_total",
			Help: "Key walks that found no usable key, by outcome.",
		}, []string{"provider", "outcome"}),
		failovers: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aigateway_keyfailover_request_failovers",
			Help:    "Keys one upstream call failed over from.",
			Buckets: prometheus.LinearBuckets(0, 1, MaxKeys+1),
		}, []string{"provider"}),
	}
}

func (m *Metrics) exhausted(provider, outcome string) {
	if m == nil {
		return
	}
	m.exhaustions.WithLabelValues(provider, outcome).Inc()
}
