package reports

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/fanbench/fanbench/metrics"
)

// csvHeader names the CSV columns, units in the names. A strategy row
// leaves the upstream columns empty and an upstream row the strategy
// figures; an unknown figure (no sequential to compare with, no ideal
// latency, no cost sampled) is an empty cell too.
var csvHeader = []string{
	"kind", "strategy", "upstream",
	"operations", "throughput_ops_per_s",
	"p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms",
	"errors_pct", "partial_pct", "ok", "partial", "failed", "dropped",
	"speedup_vs_sequential_x", "harness_overhead_p99_ms", "cpu_ms_per_1000_ops", "requests_per_call_x",
	"calls", "attempts", "retries", "responses_429", "breaker_refusals", "statuses",
	"verdict",
}

// CSV writes r as comma-separated values for spreadsheets and scripts: one
// row per strategy, then one per upstream of each strategy (the kind
// column says which), plain numbers in the cells. Statuses are one cell,
// "200:1990 503:10".
func CSV(w io.Writer, r *metrics.Result) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	v := Decide(r)
	for _, s := range r.Strategies {
		row := csvRow("strategy", s.Name, "")
		l := s.Latency
		speed, speedOK := speedUp(r, s)
		over, overOK := overheadP99(s)
		cpu, cpuOK := cpuPer1000(s)
		row.set("operations", csvUint(s.Operations))
		row.set("throughput_ops_per_s", csvFloat(s.Throughput))
		row.latency(l)
		row.set("errors_pct", csvFloat(s.ErrorRate*100))
		row.set("partial_pct", csvFloat(s.PartialRate()*100))
		row.set("ok", csvUint(s.Outcomes.OK))
		row.set("partial", csvUint(s.Outcomes.Partial))
		row.set("failed", csvUint(s.Outcomes.Failed))
		row.set("dropped", csvUint(s.Dropped))
		if speedOK {
			row.set("speedup_vs_sequential_x", csvFloat(speed))
		}
		if overOK {
			row.set("harness_overhead_p99_ms", csvFloat(over))
		}
		if cpuOK {
			row.set("cpu_ms_per_1000_ops", csvFloat(cpu))
		}
		if s.Amplification.Minimum > 0 {
			row.set("requests_per_call_x", csvFloat(s.Amplification.Ratio))
		}
		row.set("verdict", standing(v, s.Name))
		_ = cw.Write(row)
	}
	for _, s := range r.Strategies {
		for _, u := range s.Upstreams {
			row := csvRow("upstream", s.Name, u.Name)
			row.latency(u.Latency)
			row.set("calls", csvUint(u.Calls))
			row.set("attempts", csvUint(u.Attempts))
			row.set("retries", csvUint(u.Retries))
			row.set("responses_429", csvUint(u.Responses429))
			row.set("breaker_refusals", csvUint(u.Statuses[breakerOpen]))
			row.set("statuses", csvStatuses(u.Statuses))
			_ = cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvRecord is one row, its cells in csvHeader's order.
type csvRecord []string

func csvRow(kind, strategy, upstream string) csvRecord {
	row := make(csvRecord, len(csvHeader))
	row[0], row[1], row[2] = kind, csvText(strategy), csvText(upstream)
	return row
}

func (row csvRecord) set(column string, value string) {
	for i, name := range csvHeader {
		if name == column {
			row[i] = value
			return
		}
	}
	panic("reports: no CSV column " + column) // a typo in this file, caught by its tests
}

func (row csvRecord) latency(l metrics.Summary) {
	row.set("p50_ms", csvFloat(l.P50))
	row.set("p90_ms", csvFloat(l.P90))
	row.set("p95_ms", csvFloat(l.P95))
	row.set("p99_ms", csvFloat(l.P99))
	row.set("p999_ms", csvFloat(l.P999))
	row.set("max_ms", csvFloat(l.Max))
	row.set("mean_ms", csvFloat(l.Mean))
}

func csvUint(v uint64) string { return strconv.FormatUint(v, 10) }

// csvFloat writes v to the microsecond when it is in milliseconds (three
// decimals), without trailing zeros.
func csvFloat(v float64) string {
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

func csvStatuses(m map[string]uint64) string {
	keys := StatusKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + csvUint(m[k])
	}
	return csvText(strings.Join(parts, " "))
}

// csvText defuses a cell a spreadsheet would run as a formula (one
// starting with =, +, -, @, a tab or a carriage return) by putting a
// quote before it, as OWASP advises; names come from scenario files.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
