package reports

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fanbench/fanbench/metrics"
)

func TestTableMarksInterruptedAndColours(t *testing.T) {
	t.Parallel()
	res := fixture(t)
	res.Interrupted = true
	var plain, colour bytes.Buffer
	if err := Table(&plain, res, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Table(&colour, res, TableOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain.String(), "INTERRUPTED") {
		t.Error("the table of an interrupted run does not say so")
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("the table without Color holds escape codes")
	}
	// The warning is drawn in bright yellow, the failed verdict in red.
	for _, want := range []string{"\x1b[93;1m ! fanout: the generator fell behind", "\x1b[91;1mthresholds: 1 of 2 FAILED"} {
		if !strings.Contains(colour.String(), want) {
			t.Errorf("the table with Color lacks %q:\n%q", want, &colour)
		}
	}
}

// The tables stay readable on a terminal of 160 columns (the widest are
// the real results with long upstream names); only names longer than any
// real one widen them.
// The default output fits a terminal of 100 columns (or the width it is
// given, down to 60), and --wide stays within 160.
func TestTableWidth(t *testing.T) {
	t.Parallel()
	results := testResults(t)
	for _, c := range verdictCases() {
		results["verdict-"+c.name] = c.res
	}
	for name, r := range results {
		if name == "hostile" {
			continue
		}
		for _, o := range []TableOptions{{}, {Width: 80}, {Width: 60}, {Wide: true}} {
			limit := o.Width
			switch {
			case o.Wide:
				limit = 160
			case limit == 0:
				limit = DefaultWidth
			}
			var buf bytes.Buffer
			if err := Table(&buf, r, o); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(buf.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > limit {
					t.Errorf("%s, %+v: line %d is %d columns wide, over %d:\n%s", name, o, i+1, n, limit, line)
				}
			}
		}
	}
}

// Every figure the issue asks of the terminal is there, with its unit.
func TestTableShowsEveryFigure(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Table(&buf, fixture(t), TableOptions{Wide: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"operations", "throughput", "(ops/s)", "p50", "p90", "p95", "p99", "p99.9", "max", "(ms)",
		"errors", "partial", "speed-up", "vs sequential", "harness", "CPU per", "1,000 ops", "412.5",
		"calls", "attempts", "429s", "breaker", "refusals", "200×185 429×5 503×4 breaker_open×5",
		"ok", "failed", "dropped", "started late", "requests", "per call",
		"thresholds: 1 of 2 FAILED", "WARNING: read the figures above with care", "! fanout: the generator fell behind",
		"retries sent before Retry-After had passed 5", "rate-limit wait audit p50 0.001 ms, p99 4.0 ms",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, &buf)
		}
	}
}

// Calls a queued strategy left undelivered are a warning even when the run
// did not say so, once.
func TestWarningsAddUndelivered(t *testing.T) {
	t.Parallel()
	r := &metrics.Result{Warnings: []string{"fanout: the generator fell behind"}, Strategies: []metrics.StrategyResult{
		{Name: "queued", Queue: &metrics.QueueResult{Acked: 10, Delivered: 8, Undelivered: 3}},
		{Name: "queued-2", Queue: &metrics.QueueResult{Acked: 10, Delivered: 10}},
	}}
	got := Warnings(r)
	want := []string{"fanout: the generator fell behind",
		"queued: 3 calls were still undelivered when the drain deadline passed (acked 10 operations, delivered 8)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Warnings() = %q, want %q", got, want)
	}
	r.Warnings = append(r.Warnings, "queued: 3 calls undelivered")
	if got := Warnings(r); len(got) != 2 {
		t.Errorf("Warnings() repeats what the run said: %q", got)
	}
	if len(r.Warnings) != 2 {
		t.Errorf("Warnings() changed r.Warnings: %q", r.Warnings)
	}
}

func TestSpeedUp(t *testing.T) {
	t.Parallel()
	seq := metrics.StrategyResult{Name: "seq", Strategy: "sequential", Operations: 1, Latency: metrics.Summary{P50: 500}}
	fan := metrics.StrategyResult{Name: "fanout", Strategy: "fanout", Operations: 1, Latency: metrics.Summary{P50: 250}}
	queued := metrics.StrategyResult{Name: "queued", Operations: 1, Latency: metrics.Summary{P50: 0.05}, Queue: &metrics.QueueResult{}}
	delivered := queued
	delivered.Queue = &metrics.QueueResult{DeliveryLatency: metrics.Summary{P50: 400}, DeliveredOutcomes: metrics.Outcomes{OK: 1}}
	for _, tc := range []struct {
		name   string
		ss     []metrics.StrategyResult
		of     metrics.StrategyResult
		want   float64
		wantOK bool
	}{
		{"labelled baseline", []metrics.StrategyResult{seq, fan}, fan, 2, true},
		{"no baseline", []metrics.StrategyResult{fan}, fan, 0, false},
		{"queued, nothing delivered", []metrics.StrategyResult{seq, queued}, queued, 0, false},
		{"queued by delivery, not the ack", []metrics.StrategyResult{seq, delivered}, delivered, 1.25, true},
		{"no latency", []metrics.StrategyResult{seq, {Name: "x"}}, metrics.StrategyResult{Name: "x"}, 0, false},
	} {
		got, ok := speedUp(&metrics.Result{Strategies: tc.ss}, tc.of)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("%s: speedUp(%s) = %v, %v; want %v, %v", tc.name, tc.of.Name, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestStatusesOrder(t *testing.T) {
	t.Parallel()
	got := statuses(map[string]uint64{"timeout": 1, "503": 2, "200": 3, "reset": 4, "429": 5})
	if want := "200×3 429×5 503×2 reset×4 timeout×1"; got != want {
		t.Errorf("statuses() = %q, want %q", got, want)
	}
}
