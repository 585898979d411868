package recorder

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Reasons for dropping an interception, the values of the reason label.
const (
	// reasonQueueFull: Record found the queue at its bound.
	reasonQueueFull = "queue_full"
	// reasonClosed: Record was called after Close, or Close gave up before
	// the interception was written.
	reasonClosed = "closed"
	// reasonRejected: the interception failed Validate, or Postgres refused
	// its data.
	reasonRejected = "rejected"
)

// Metrics are the recorder's Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	written     prometheus.Counter
	dropFull    prometheus.Counter
	dropClosed  prometheus.Counter
	dropRejects prometheus.Counter
	writeErrors prometheus.Counter
	batch       prometheus.Histogram
	queue       prometheus.Gauge
}

// NewMetrics creates the metrics and registers them with reg, or leaves them
// unregistered when reg is nil. Call it once per registry: registering twice
// panics.
//
//   - aigateway_recorder_interceptions_written_total: interceptions stored.
//   - aigateway_recorder_interceptions_dropped_total{reason}: interceptions
//     lost, by reason: queue_full, closed (recorded after Close, or still
//     queued when Close gave up) or rejected (invalid, or refused by
//     Postgres).
//   - aigateway_recorder_write_errors_total: failed batch writes, each
//     retried.
//   - aigateway_recorder_batch_duration_seconds: time to write one batch.
//   - aigateway_recorder_queue_length: interceptions waiting in the queue.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	dropped := f.NewCounterVec(prometheus.CounterOpts{
		Name: "aigateway_recorder_interceptions_dropped_total",
		Help: "Interceptions lost without being stored, by reason.",
	}, []string{"reason"})
	return &Metrics{
		written: f.NewCounter(prometheus.CounterOpts{
			Name: "aigateway_recorder_interceptions_written_total",
			Help: "Interceptions stored in Postgres.",
		}),
		dropFull:    dropped.WithLabelValues(reasonQueueFull),
		dropClosed:  dropped.WithLabelValues(reasonClosed),
		dropRejects: dropped.WithLabelValues(reasonRejected),
		writeErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "aigateway_recorder_write_errors_total",
			Help: "Failed writes of a batch of interceptions; each is retried.",
		}),
		batch: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "aigateway_recorder_batch_duration_seconds",
			Help:    "Time to write one batch of interceptions.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		queue: f.NewGauge(prometheus.GaugeOpts{
			Name: "aigateway_recorder_queue_length",
			Help: "Interceptions waiting in the queue to be written.",
		}),
	}
}

func (m *Metrics) addWritten(n int) {
	if m != nil {
		m.written.Add(float64(n))
	}
}

func (m *Metrics) addDropped(reason string, n int) {
	if m == nil {
		return
	}
	switch reason {
	case reasonQueueFull:
		m.dropFull.Add(float64(n))
	case reasonClosed:
		m.dropClosed.Add(float64(n))
	default:
		m.dropRejects.Add(float64(n))
	}
}

func (m *Metrics) writeError() {
	if m != nil {
		m.writeErrors.Inc()
	}
}

func (m *Metrics) observeBatch(d time.Duration) {
	if m != nil {
		m.batch.Observe(d.Seconds())
	}
}

func (m *Metrics) queued(delta int) {
	if m != nil {
		m.queue.Add(float64(delta))
	}
}
