package bridge

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/recorder"
)

// Metrics are the data plane's Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	interceptions *prometheus.CounterVec
	inflight      prometheus.Gauge
	duration      *prometheus.HistogramVec
	ttfb          *prometheus.HistogramVec
	tokens        *prometheus.CounterVec
	passthrough   *prometheus.CounterVec
	keys          *keyfailover.Metrics
}

// NewMetrics creates the metrics, with the key pools', and registers them
// with reg. Call it once per registry.
//
//   - aigateway_interceptions_total{provider,model,status,client}
//   - aigateway_interceptions_in_flight
//   - aigateway_interception_duration_seconds{provider}
//   - aigateway_interception_first_byte_seconds{provider}
//   - aigateway_tokens_total{provider,model,type}: type is input, output,
//     cache_read or cache_write
//   - aigateway_passthrough_requests_total{provider,status}
func NewMetrics(reg prometheus.Registerer) *Metrics {
	buckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	m := &Metrics{
		interceptions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aigateway_interceptions_total",
			Help: "Bridged requests, by provider, model, status and client.",
		}, []string{"provider", "model", "status", "client"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aigateway_interceptions_in_flight",
			Help: "Bridged requests being served.",
		}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aigateway_interception_duration_seconds",
			Help:    "Time from a bridged request's arrival to its end.",
			Buckets: buckets,
		}, []string{"provider"}),
		ttfb: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aigateway_interception_first_byte_seconds",
			Help:    "Time from a bridged request's arrival to the first byte relayed.",
			Buckets: buckets,
		}, []string{"provider"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aigateway_tokens_total",
			Help: "Tokens reported by providers, by type.",
		}, []string{"provider", "model", "type"}),
		passthrough: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aigateway_passthrough_requests_total",
			Help: "Passthrough requests, by provider and status code.",
		}, []string{"provider", "status"}),
		keys: keyfailover.NewMetrics(reg),
	}
	if reg != nil {
		reg.MustRegister(m.interceptions, m.inflight, m.duration, m.ttfb, m.tokens, m.passthrough)
	}
	return m
}

func (m *Metrics) inFlight(delta float64) {
	if m != nil {
		m.inflight.Add(delta)
	}
}

func (m *Metrics) firstByte(provider string, d time.Duration) {
	if m != nil {
		m.ttfb.WithLabelValues(provider).Observe(d.Seconds())
	}
}

func (m *Metrics) passthroughDone(provider, status string) {
	if m != nil {
		m.passthrough.WithLabelValues(provider, status).Inc()
	}
}

// observe counts a finished interception.
func (m *Metrics) observe(ic *recorder.Interception) {
	if m == nil {
		return
	}
	m.interceptions.WithLabelValues(ic.ProviderName, ic.Model, string(ic.Status), ic.Client).Inc()
	m.duration.WithLabelValues(ic.ProviderName).Observe(ic.EndedAt.Sub(ic.StartedAt).Seconds())
	for _, u := range ic.TokenUsages {
		counts := [...]struct {
			typ string
			n   int64
		}{
			{"input", u.Input},
			{"output", u.Output},
			{"cache_read", u.CacheRead},
			{"cache_write", u.CacheWrite},
		}
		for _, c := range counts {
			if c.n > 0 {
				m.tokens.WithLabelValues(ic.ProviderName, ic.Model, c.typ).Add(float64(c.n))
			}
		}
	}
}
