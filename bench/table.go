package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// The targets.
const (
	maxCPURatio     = 1.5
	maxExtraP50us   = 150.0
	maxStreamRSS    = 100 << 20
	rssCheckRate    = 1000
	successRateFrom = 1000
)

// key groups the runs of one mode and rate.
type key struct {
	mode string
	rate int
}

// byKey indexes results by mode, rate and target.
func byKey(results []*result) map[key]map[string]*result {
	m := make(map[key]map[string]*result)
	for _, r := range results {
		k := key{r.Mode, r.Rate}
		if m[k] == nil {
			m[k] = make(map[string]*result)
		}
		m[k][r.Target] = r
	}
	return m
}

// added returns the latency a run adds over the direct run, p50 and p99,
// in µs; ok is false without a direct run.
func added(runs map[string]*result, r *result) (p50, p99 float64, ok bool) {
	d := runs[targetDirect]
	if d == nil || r == d {
		return 0, 0, false
	}
	return 1000 * (r.Report.Latency.P50 - d.Report.Latency.P50),
		1000 * (r.Report.Latency.P99 - d.Report.Latency.P99), true
}

// printTable prints one row a run, grouped by mode and rate.
func printTable(w io.Writer, results []*result) {
	runs := byKey(results)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\trate\ttarget\tok/sent\tp50\tp99\t+p50\t+p99\t"+
		"+p50 vs proxy\tcpu/req\tpg cpu/req\tpeak RSS\terrors\trecorded\t")
	for _, r := range results {
		row := []string{
			r.Mode, fmt.Sprint(r.Rate), r.Target,
			fmt.Sprintf("%d/%d", r.Report.OK, r.Report.Sent),
			fmt.Sprintf("%.2fms", r.Report.Latency.P50),
			fmt.Sprintf("%.2fms", r.Report.Latency.P99),
		}
		p50, p99, ok := added(runs[key{r.Mode, r.Rate}], r)
		if ok {
			row = append(row, us(p50), us(p99))
		} else {
			row = append(row, "-", "-")
		}
		row = append(row, vsProxy(runs[key{r.Mode, r.Rate}], r))
		if r.Target == targetDirect {
			row = append(row, "-", "-", "-")
		} else {
			row = append(row, fmt.Sprintf("%.0fµs", r.CPUPerRequest), pgCPU(r),
				mib(r.PeakRSS))
		}
		row = append(row, errorList(r), recorded(r))
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "+p50, +p99: latency added over direct calls. +p50 vs proxy: the "+
		"gateway's added p50 over the bare proxy's. cpu/req: the proxy process's CPU "+
		"time per request; pg cpu/req: the Postgres backends of the bench's database.")
	for _, r := range results {
		for _, p := range r.Problems {
			fmt.Fprintf(w, "problem in %s %s %d/s: %s\n", r.Target, r.Mode, r.Rate, p)
		}
	}
}

// vsProxy shows the gateway's added p50 against the bare proxy's, as a
// ratio and a difference.
func vsProxy(runs map[string]*result, r *result) string {
	p := runs[targetProxy]
	if r.Target != targetGateway || p == nil {
		return "-"
	}
	gw, _, ok1 := added(runs, r)
	px, _, ok2 := added(runs, p)
	if !ok1 || !ok2 {
		return "-"
	}
	ratio := "-"
	if px > 0 {
		ratio = fmt.Sprintf("%.1fx", gw/px)
	}
	return fmt.Sprintf("%s (%s)", ratio, us(gw-px))
}

// us shows a signed difference of times given in µs.
func us(v float64) string {
	if v >= 1000 || v <= -1000 {
		return fmt.Sprintf("%+.2fms", v/1000)
	}
	return fmt.Sprintf("%+.0fµs", v)
}

func pgCPU(r *result) string {
	if r.Target != targetGateway {
		return "-"
	}
	return fmt.Sprintf("%.0fµs", r.PostgresCPUPerRequest)
}

func mib(b int64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fMiB", float64(b)/(1<<20))
}

func errorList(r *result) string {
	if len(r.Report.Errors) == 0 {
		return "0"
	}
	kinds := make([]string, 0, len(r.Report.Errors))
	for k, n := range r.Report.Errors {
		kinds = append(kinds, fmt.Sprintf("%s:%d", k, n))
	}
	sort.Strings(kinds)
	return strings.Join(kinds, ",")
}

func recorded(r *result) string {
	if r.Target != targetGateway {
		return "-"
	}
	s := fmt.Sprintf("%d/%d", r.Interceptions, r.sentAll())
	if r.Dropped > 0 {
		s += fmt.Sprintf(" (%d dropped)", r.Dropped)
	}
	return s
}

// printChecks checks the targets and returns how many failed.
func printChecks(w io.Writer, results []*result) int {
	failed := 0
	check := func(ok bool, format string, args ...any) {
		verdict := "PASS"
		if !ok {
			verdict = "FAIL"
			failed++
		}
		fmt.Fprintf(w, "%s  %s\n", verdict, fmt.Sprintf(format, args...))
	}

	fmt.Fprintln(w, "\nchecks:")
	runs := byKey(results)
	for _, r := range results {
		if r.Rate >= successRateFrom || r.Target == targetGateway {
			check(r.Report.Failed == 0 && r.Report.OK == r.Report.Sent,
				"%s %s %d/s: every request succeeded (%d of %d; errors %s)",
				r.Target, r.Mode, r.Rate, r.Report.OK, r.Report.Sent, errorList(r))
		}
		if r.Target != targetGateway {
			continue
		}
		check(r.Interceptions == r.sentAll() && r.Dropped == 0,
			"gateway %s %d/s: every request recorded (%d of %d, %d dropped)",
			r.Mode, r.Rate, r.Interceptions, r.sentAll(), r.Dropped)
		if r.Mode == "streaming" && r.Rate == rssCheckRate {
			check(r.PeakRSS > 0 && r.PeakRSS < maxStreamRSS,
				"gateway streaming %d/s: peak RSS %s under 100 MiB", r.Rate, mib(r.PeakRSS))
		}
		p := runs[key{r.Mode, r.Rate}][targetProxy]
		if p == nil {
			continue
		}
		check(r.CPUPerRequest <= maxCPURatio*p.CPUPerRequest,
			"gateway %s %d/s: CPU per request %.0fµs within %.1fx the bare proxy's %.0fµs "+
				"(%.2fx)", r.Mode, r.Rate, r.CPUPerRequest, maxCPURatio, p.CPUPerRequest,
			r.CPUPerRequest/max(p.CPUPerRequest, 1e-9))
		gw, _, ok1 := added(runs[key{r.Mode, r.Rate}], r)
		px, _, ok2 := added(runs[key{r.Mode, r.Rate}], p)
		if ok1 && ok2 {
			check(gw-px <= maxExtraP50us,
				"gateway %s %d/s: added p50 %s within 150µs of the bare proxy's %s (%s)",
				r.Mode, r.Rate, us(gw), us(px), us(gw-px))
		}
	}
	return failed
}
