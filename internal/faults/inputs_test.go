package faults

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/internal/specialfile"
	"github.com/fanbench/fanbench/metrics"
)

// scenario is a valid scenario of one mock upstream; each of with replaces
// the top-level key it starts with, or is added.
func scenario(with ...string) string {
	keys := []string{"name", "upstreams", "operation", "strategies", "load"}
	blocks := map[string]string{
		"name":       "name: faults",
		"upstreams":  "upstreams:\n  api: {mock: {latency: 1ms}}",
		"operation":  "operation:\n  calls: [{upstream: api, path: /}]",
		"strategies": "strategies: [fanout]",
		"load":       "load: {rate: 10/s, duration: 1s}",
	}
	for _, w := range with {
		key, _, _ := strings.Cut(w, ":")
		if _, ok := blocks[key]; !ok {
			keys = append(keys, key)
		}
		blocks[key] = w
	}
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(blocks[k] + "\n")
	}
	return b.String()
}

// resultFile writes a result as a run does (80 operations of fanout, with
// histograms and windows), after tamper changes it, and returns its path.
func resultFile(t *testing.T, dir, name string, tamper func(*metrics.StrategyResult)) string {
	t.Helper()
	l := metrics.Layout{Upstreams: []string{"api"}, Failures: []string{"none", "timeout"}, CallsPerOperation: 1, Windows: metrics.NewWindows(2)}
	rec := metrics.NewRecorder(l)
	for i := range 80 {
		d := time.Duration(10+i%7) * time.Millisecond
		rec.RecordOperation(metrics.OutcomeOK, d, d, 0, 0)
		rec.RecordWindow(metrics.OutcomeOK, time.Duration(i)*50*time.Millisecond, d, 0)
		rec.RecordCall(metrics.CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: d})
	}
	rec.FlushWindows()
	sr, err := rec.Summarize("fanout", 4*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	sr.Strategy, sr.Windows = "fanout", l.Windows.Result(l.Failures)
	if tamper != nil {
		tamper(&sr)
	}
	r := &metrics.Result{Schema: metrics.Schema, Scenario: json.RawMessage(`{"name":"faults","seed":1}`),
		Environment: metrics.CurrentEnvironment("test"), DurationS: 4, Strategies: []metrics.StrategyResult{sr}}
	path := filepath.Join(dir, name)
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// halfLatency replaces the latency histogram with one of half the
// operations, as a file edited by hand might hold.
func halfLatency(s *metrics.StrategyResult) {
	h := metrics.NewHistogram()
	for range 40 {
		h.Record(12 * time.Millisecond)
	}
	s.Histograms["latency"], _ = h.Encode()
}

// TestBadInputs: each bad input ends with exit code 2 (or 1 for a
// comparison that fails), no crash, and a message that names the file, the
// line or field and what is allowed (testdata/NAME.golden).
func TestBadInputs(t *testing.T) {
	t.Parallel()
	many := func(n int) string { return "x-values: [" + strings.Repeat("0,", n) + "0]" }
	upstreams := func(n int) string {
		var b strings.Builder
		b.WriteString("upstreams:\n")
		for i := range n {
			fmt.Fprintf(&b, "  u%d: {mock: {}}\n", i)
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	tests := []struct {
		name  string
		files map[string]string // name → content, written in the test's folder
		args  []string          // $DIR is the folder
		code  int
	}{
		// Scenario files: too large, too many values, syntax.
		{"values-600k", map[string]string{"s.yaml": scenario(many(600_000))}, []string{"validate", "s.yaml"}, 2},
		{"upstreams-30k", map[string]string{"s.yaml": scenario(upstreams(30_000))}, []string{"validate", "s.yaml"}, 2},
		{"yaml-syntax", map[string]string{"s.yaml": "name: x\nload:\n  rate: 1/s\n duration: 2s\n"}, []string{"validate", "s.yaml"}, 2},
		{"duration-overflow", map[string]string{"s.yaml": scenario("load: {rate: 10/s, duration: 3000000h}")}, []string{"validate", "s.yaml"}, 2},
		// Sizes no machine holds.
		{"sizes", map[string]string{"s.yaml": scenario(
			"strategies: [{name: pooled, workers: 1000000000, queue: 1000000000000}, {name: queued, consumers: 1000000000, capacity: 1000000000000}]",
			"load: {rate: 10/s, duration: 1s, max_in_flight: 1000000000}")}, []string{"run", "s.yaml"}, 2},
		{"users", map[string]string{"s.yaml": scenario("load: {model: closed, users: 1000000000, duration: 1s}")}, []string{"run", "s.yaml"}, 2},
		// Files a scenario names.
		{"csv-device", map[string]string{"s.yaml": scenario("data: {csv: /dev/zero}", "operation: {calls: [{upstream: api, path: \"/{{.Data.user}}\"}]}")},
			[]string{"validate", "s.yaml"}, 2},
		{"csv-not-a-table", map[string]string{"s.yaml": scenario("data: {csv: passwd}", "operation: {calls: [{upstream: api, path: \"/{{.Data.user}}\"}]}"),
			"passwd": "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"}, []string{"validate", "s.yaml"}, 2},
		{"csv-ragged", map[string]string{"s.yaml": scenario("data: {csv: users.csv}", "operation: {calls: [{upstream: api, path: \"/{{.Data.user}}\"}]}"),
			"users.csv": "user,plan\nalice,pro\nbob\n"}, []string{"validate", "s.yaml"}, 2},
		{"tls-device", map[string]string{"s.yaml": scenario("upstreams: {api: {url: \"https://127.0.0.1:9\", tls: {ca_file: /dev/zero}}}")},
			[]string{"validate", "s.yaml"}, 2},
		// Outputs over inputs.
		{"out-over-scenario", map[string]string{"s.yaml": scenario()}, []string{"run", "s.yaml", "--out", "./s.yaml"}, 2},
		{"html-over-out", map[string]string{"s.yaml": scenario()}, []string{"run", "s.yaml", "--out", "x.json", "--html", "$DIR/x.json"}, 2},
		{"out-missing-folder", map[string]string{"s.yaml": scenario()}, []string{"run", "s.yaml", "--out", "no/such/r.json"}, 2},
		{"out-fifo", map[string]string{"s.yaml": scenario()}, []string{"run", "s.yaml", "--out", "$FIFO"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, content := range tt.files {
				write(t, dir, name, content)
			}
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				if a == "$FIFO" { // made here, never a device of the system's: an old build would replace it
					a = specialfile.FIFO(t, dir, "fifo")
				}
				args[i] = strings.ReplaceAll(a, "$DIR", dir)
			}
			r := run(t, dir, nil, args...)
			if r.code != tt.code || crashed(r.stderr) {
				t.Errorf("fanbench %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), r.code, tt.code, r.stderr)
			}
			if strings.Contains(r.stderr, "running") {
				t.Errorf("fanbench %s started the run before refusing", strings.Join(tt.args, " "))
			}
			if strings.Contains(r.stderr, "root:x:0:0") {
				t.Errorf("fanbench %s quoted a file it was not meant to read: %s", strings.Join(tt.args, " "), r.stderr)
			}
			wantGolden(t, tt.name, normalize(r.stderr, dir))
		})
	}
}

// TestBadResults: a result file whose figures disagree (edited by hand, or
// written by a faulty tool) is refused by merge, report and compare with
// exit code 2, naming the field, instead of producing wrong numbers; a
// comparison in which a side measured no operation fails (exit 1).
func TestBadResults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := resultFile(t, dir, "good.json", nil)
	half := resultFile(t, dir, "half.json", halfLatency)
	bare := resultFile(t, dir, "bare.json", func(s *metrics.StrategyResult) { s.Histograms = nil })
	doubled := resultFile(t, dir, "doubled.json", func(s *metrics.StrategyResult) { s.Operations, s.Outcomes.OK = 160, 160 })
	empty := resultFile(t, dir, "empty.json", func(s *metrics.StrategyResult) {
		*s = metrics.StrategyResult{Name: "fanout", Strategy: "fanout", Interrupted: 80, Upstreams: s.Upstreams[:0], Histograms: map[string]string{}}
	})
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(metrics.MaxResultBytes + 1<<20); err != nil { // sparse
		t.Fatal(err)
	}
	f.Close()
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"merge-half-latency", []string{"merge", good, half, "--out", filepath.Join(dir, "m.json")}, 2},
		{"report-missing-histograms", []string{"report", bare}, 2},
		{"compare-doubled", []string{"compare", good, doubled}, 2},
		{"report-too-large", []string{"report", huge}, 2},
		{"compare-empty", []string{"compare", good, empty}, 1},
	} {
		r := run(t, dir, nil, tt.args...)
		if r.code != tt.code || crashed(r.stderr) {
			t.Errorf("fanbench %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), r.code, tt.code, r.stderr)
		}
		wantGolden(t, tt.name, normalize(r.stderr, dir))
	}
	if _, err := os.Stat(filepath.Join(dir, "m.json")); err == nil {
		t.Error("merge wrote a result from an inconsistent file")
	}
}
