package scaletest

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Report is the outcome of a Run, over the requests of the measured
// Duration. Times are in milliseconds.
type Report struct {
	// API, Stream and URL say what was measured.
	API    API    `json:"api"`
	Stream bool   `json:"stream"`
	URL    string `json:"url"`
	// Rate is the rate asked for, in requests a second.
	Rate float64 `json:"rate"`
	// DurationSeconds is how long the measured Duration lasted.
	DurationSeconds float64 `json:"duration_seconds"`
	// WarmupSent counts the requests sent during the warm-up.
	WarmupSent int64 `json:"warmup_sent"`
	// Sent counts the requests sent during the measured Duration; overruns
	// were not sent.
	Sent int64 `json:"sent"`
	// OK counts the requests that got a complete, successful answer.
	OK int64 `json:"ok"`
	// Failed counts the rest, overruns included.
	Failed int64 `json:"failed"`
	// AchievedRate is Sent over the measured Duration.
	AchievedRate float64 `json:"achieved_rate"`
	// OKRate is OK over the measured Duration.
	OKRate float64 `json:"ok_rate"`
	// Errors counts the failures by kind (see KindOverrun and the others;
	// "http_<status>" for an answer whose status is not 200).
	Errors map[string]int64 `json:"errors"`
	// Latency is the time from sending a request to the end of its answer.
	Latency Percentiles `json:"latency_ms"`
	// FirstByte is the time from sending a request to the first byte of
	// its answer's body.
	FirstByte Percentiles `json:"first_byte_ms"`
}

// Percentiles summarise durations, in milliseconds, over the successful
// requests.
type Percentiles struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// percentiles summarises ds, which it sorts.
func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		i := max(int(math.Ceil(q*float64(len(ds))))-1, 0)
		return ms(ds[i])
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return Percentiles{
		P50: at(0.50), P90: at(0.90), P99: at(0.99), P999: at(0.999),
		Max: ms(ds[len(ds)-1]), Mean: ms(sum / time.Duration(len(ds))),
	}
}

func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// report summarises the run, whose measured Duration lasted elapsed.
func (r *runner) report(elapsed time.Duration) *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	secs := elapsed.Seconds()
	rep := &Report{
		API:             r.opts.API,
		Stream:          r.opts.Stream,
		URL:             r.url,
		Rate:            r.opts.Rate,
		DurationSeconds: secs,
		WarmupSent:      r.warmup.Load(),
		Sent:            r.sent.Load(),
		OK:              r.ok.Load(),
		Failed:          r.failed.Load(),
		Errors:          r.errors,
		Latency:         percentiles(r.latencies),
		FirstByte:       percentiles(r.firstBytes),
	}
	if secs > 0 {
		rep.AchievedRate = float64(rep.Sent) / secs
		rep.OKRate = float64(rep.OK) / secs
	}
	return rep
}

// Print writes the report for people to read.
func (rep *Report) Print(w io.Writer) {
	mode := "blocking"
	if rep.Stream {
		mode = "streaming"
	}
	fmt.Fprintf(w, "scaletest: %s %s at %g/s for %.1fs against %s\n",
		rep.API, mode, rep.Rate, rep.DurationSeconds, rep.URL)
	fmt.Fprintf(w, "requests    %d sent (%.1f/s), %d ok (%.1f/s), %d failed",
		rep.Sent, rep.AchievedRate, rep.OK, rep.OKRate, rep.Failed)
	if rep.WarmupSent > 0 {
		fmt.Fprintf(w, "; %d more sent in the warm-up", rep.WarmupSent)
	}
	fmt.Fprintln(w)
	printPercentiles(w, "latency", rep.Latency)
	printPercentiles(w, "first byte", rep.FirstByte)
	if len(rep.Errors) == 0 {
		fmt.Fprintln(w, "errors      none")
		return
	}
	kinds := make([]string, 0, len(rep.Errors))
	for k := range rep.Errors {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, rep.Errors[k])
	}
	fmt.Fprintf(w, "errors      %s\n", strings.Join(parts, ", "))
}

func printPercentiles(w io.Writer, name string, p Percentiles) {
	fmt.Fprintf(w, "%-11s p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  mean %s\n", name,
		fmtMS(p.P50), fmtMS(p.P90), fmtMS(p.P99), fmtMS(p.P999), fmtMS(p.Max), fmtMS(p.Mean))
}

// fmtMS shows a time in milliseconds with three significant decimals.
func fmtMS(v float64) string {
	return fmt.Sprintf("%.3fms", v)
}
