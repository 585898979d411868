package recorder_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/recorder"
)

// BenchmarkRecord measures how many interceptions a second the writer
// stores, from the first Record to the end of Close, with the default batch
// size and flush interval. The queue holds them all, so the figure is the
// writer's pace, not the speed of Record.
func BenchmarkRecord(b *testing.B) {
	f := setup(b)
	ics := make([]*recorder.Interception, b.N)
	for i := range ics {
		ics[i] = f.interception(i)
	}
	r := f.recorder(b, recorder.Options{QueueSize: b.N})
	r.Start(b.Context())

	b.ResetTimer()
	for _, ic := range ics {
		r.Record(ic)
	}
	require.NoError(b, r.Close(context.Background()))
	b.StopTimer()

	require.Zero(b, f.metric(b, "aigateway_recorder_interceptions_dropped_total"))
	require.Equal(b, b.N, f.count(b, "interceptions"))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
