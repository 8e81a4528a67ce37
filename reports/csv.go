package reports

import (
	"encoding/csv"
	"io"
	"math"
	"slices"
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

// csvAsyncHeader names the columns added, after the others, when the run
// made asynchronous calls: an upstream row's 202 latency, polls and
// incomplete calls, a strategy row's callbacks (callbacks_KEY, in
// callbackFields' order).
var csvAsyncHeader = func() []string {
	h := []string{"accepted_p50_ms", "accepted_p99_ms", "polls", "incomplete"}
	for _, f := range callbackFields {
		h = append(h, "callbacks_"+f.key)
	}
	return h
}()

// CSV writes r as comma-separated values for spreadsheets and scripts: one
// row per strategy, then one per upstream of each strategy (the kind
// column says which), plain numbers in the cells. Statuses are one cell,
// "200:1990 503:10". A run with asynchronous calls has the columns of
// csvAsyncHeader too.
func CSV(w io.Writer, r *metrics.Result) error {
	cw := csv.NewWriter(w)
	head := csvHeader
	async := HasAsync(r)
	if async {
		head = append(slices.Clip(csvHeader), csvAsyncHeader...)
	}
	_ = cw.Write(head)
	v := Decide(r)
	for _, s := range r.Strategies {
		row := csvRow(head, "strategy", s.Name, "")
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
		if c := s.Callbacks; async && c != nil {
			for _, f := range callbackFields {
				row.set("callbacks_"+f.key, csvUint(f.get(c)))
			}
		}
		_ = cw.Write(row.cells)
	}
	for _, s := range r.Strategies {
		for _, u := range s.Upstreams {
			row := csvRow(head, "upstream", s.Name, u.Name)
			row.latency(u.Latency)
			row.set("calls", csvUint(u.Calls))
			row.set("attempts", csvUint(u.Attempts))
			row.set("retries", csvUint(u.Retries))
			row.set("responses_429", csvUint(u.Responses429))
			row.set("breaker_refusals", csvUint(u.Statuses[breakerOpen]))
			row.set("statuses", csvStatuses(u.Statuses))
			if a := u.Accepted; async && a != nil {
				row.set("accepted_p50_ms", csvFloat(a.P50))
				row.set("accepted_p99_ms", csvFloat(a.P99))
			}
			if async && (u.Accepted != nil || u.Polls > 0) {
				row.set("polls", csvUint(u.Polls))
				row.set("incomplete", csvUint(u.Statuses[incomplete]))
			}
			_ = cw.Write(row.cells)
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvRecord is one row, its cells in head's order.
type csvRecord struct {
	head, cells []string
}

func csvRow(head []string, kind, strategy, upstream string) csvRecord {
	row := csvRecord{head: head, cells: make([]string, len(head))}
	row.cells[0], row.cells[1], row.cells[2] = kind, csvText(strategy), csvText(upstream)
	return row
}

func (row csvRecord) set(column string, value string) {
	for i, name := range row.head {
		if name == column {
			row.cells[i] = value
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
