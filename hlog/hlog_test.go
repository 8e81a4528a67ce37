package hlog

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"go.uber.org/goleak"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/runner"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// snapshots records into recorders of a live layout and reads a snapshot
// after each batch, as the runner does once a second.
func snapshots(t testing.TB, strategy string, start time.Time, batches ...int) []runner.LiveSnapshot {
	t.Helper()
	layout := metrics.Layout{Upstreams: []string{"profile", "audit log"}, Failures: []string{"timeout"}, Live: metrics.NewLive()}
	rec := metrics.NewRecorder(layout)
	var out []runner.LiveSnapshot
	seq := 0
	for i, n := range batches {
		for range n {
			d := time.Duration(1+seq*7919%400_000) * time.Microsecond
			rec.RecordOperation(metrics.OutcomeOK, d, d*9/10, time.Duration(seq%50)*time.Microsecond, 0)
			rec.RecordCall(metrics.CallSample{Upstream: seq % 2, Status: 200, Attempts: 1, Latency: d / 2})
			seq++
		}
		out = append(out, runner.LiveSnapshot{Scenario: "s", Strategy: strategy, Started: start,
			At: start.Add(time.Duration(i+1) * time.Second), Final: i == len(batches)-1, Counts: layout.Live.Read()})
	}
	return out
}

// Every interval's counts survive the log exactly, each under its tag,
// with its start and end.
func TestRoundTripKeepsEveryInterval(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.hlog")
	start := time.UnixMilli(1_760_000_000_123)
	w, err := Create(path, start, "fanbench test")
	if err != nil {
		t.Fatal(err)
	}
	snaps := append(snapshots(t, "fanout", start, 500, 0, 1200), snapshots(t, "pooled 4, big", start.Add(3*time.Second), 300, 700)...)
	type want struct {
		tag        string
		start, end time.Time
		counts     []int64
	}
	var wants []want
	prev := map[string]*metrics.Counts{}
	last := map[string]time.Time{}
	for _, s := range snaps {
		w.Export(s)
		hists := []struct {
			metric string
			c      *metrics.Counts
		}{{"latency", s.Counts.Latency}, {"service_time", s.Counts.ServiceTime}, {"schedule_lag", s.Counts.ScheduleLag},
			{"upstream.profile", s.Counts.Upstreams[0].Latency}, {"upstream.audit_log", s.Counts.Upstreams[1].Latency}}
		from, ok := last[s.Strategy]
		if !ok {
			from = s.Started
		}
		for _, h := range hists {
			tag := Tag(s.Strategy, h.metric)
			wants = append(wants, want{tag, from, s.At, h.c.Since(prev[tag]).HDR().Export().Counts})
			prev[tag] = h.c
		}
		last[s.Strategy] = s.At
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"#[Histogram log format version 1.3]", "#[fanbench test]", "#[BaseTime: 1760000000 ", "Tag=fanout.latency,0.123000,1.000000,", "Tag=pooled_4__big.upstream.audit_log,"} {
		if !strings.Contains(string(data), line) {
			t.Errorf("the log lacks %q:\n%.600s", line, data)
		}
	}
	got, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(wants) {
		t.Fatalf("read %d intervals, wrote %d", len(got), len(wants))
	}
	for i, iv := range got {
		wt := wants[i]
		if iv.Tag != wt.tag || !slices.Equal(iv.Histogram.Export().Counts, wt.counts) {
			t.Fatalf("interval %d: %s with %d values, want %s with its counts exactly", i, iv.Tag, iv.Histogram.TotalCount(), wt.tag)
		}
		if d := iv.Start.Sub(wt.start); d < -time.Millisecond || d > time.Millisecond || iv.End.Sub(wt.end).Abs() > time.Millisecond {
			t.Errorf("interval %d (%s): %v–%v, want %v–%v", i, iv.Tag, iv.Start, iv.End, wt.start, wt.end)
		}
	}
	sums := Summarize(got)
	if len(sums) != 10 || sums[0].Tag != "fanout.latency" || sums[0].Intervals != 3 || sums[0].Histogram.TotalCount() != 1700 {
		t.Fatalf("summary: %d tags, first %s with %d intervals and %d values", len(sums), sums[0].Tag, sums[0].Intervals, sums[0].Histogram.TotalCount())
	}
	var table bytes.Buffer
	if err := WriteTable(&table, sums); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "fanout.latency") || !strings.Contains(table.String(), "p99 (ms)") {
		t.Errorf("table:\n%s", table.String())
	}
}

func TestTagsAreSafe(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"fanout": "fanout", "pooled 4,x": "pooled_4_x", "a\nb=c": "a_b_c", "": "_", "é": "_"} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := FileName("check/out: v2"); got != "check_out_ v2.hlog" {
		t.Errorf("FileName = %q", got)
	}
}

// A run's interval log adds up, tag by tag, to the result's histograms.
func TestRunLogAddsUpToTheResult(t *testing.T) {
	t.Parallel()
	sc := &scenarios.Scenario{
		Name: "logged", Seed: 5,
		Upstreams:  scenarios.Upstreams{{Name: "a", Mock: &mockupstream.Config{}}},
		Operation:  scenarios.Operation{Calls: []scenarios.Call{{Upstream: "a", Method: "GET", Path: "/x"}}},
		Load:       scenarios.LoadSpec{Model: "open", Rate: 100, Duration: units.Duration(1200 * time.Millisecond), MaxInFlight: 20},
		Strategies: []scenarios.Strategy{{Name: "sequential"}, {Name: "fanout"}},
	}
	path := filepath.Join(t.TempDir(), FileName(sc.Name))
	w, err := Create(path, time.Now(), "test")
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(t.Context(), sc, runner.Options{Exporters: []runner.Exporter{w}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ivs, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	sums := Summarize(ivs)
	for _, sr := range res.Strategies {
		for tag, key := range map[string]string{"latency": "latency", "service_time": "service_time", "schedule_lag": "schedule_lag", "upstream.a": "upstream:a"} {
			tag = Tag(sr.Name, tag)
			i := slices.IndexFunc(sums, func(s TagSummary) bool { return s.Tag == tag })
			if i < 0 {
				t.Fatalf("no tag %s in the log", tag)
			}
			want, err := hdrhistogram.Decode([]byte(sr.Histograms[key]))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sums[i].Histogram.Export().Counts, want.Export().Counts) {
				t.Errorf("%s: the intervals hold %d values, the result's %s %d, or their counts differ", tag, sums[i].Histogram.TotalCount(), key, want.TotalCount())
			}
			if sums[i].Intervals < 2 {
				t.Errorf("%s: %d intervals, want one a second and the last", tag, sums[i].Intervals)
			}
		}
	}
}
