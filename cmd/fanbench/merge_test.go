package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// Two real runs of the same scenario merge into one with the counts of
// both; a result of another scenario, or a file that is no result, is
// refused with exit code 2 and its name.
func TestMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	// The two runs at once: each mostly waits on the seed's 200 and 300 ms.
	outs := []string{a, b}
	codes, stderrs := make([]int, len(outs)), make([]bytes.Buffer, len(outs))
	var wg sync.WaitGroup
	for i, out := range outs {
		wg.Go(func() {
			args := []string{"run", "--example", "seed", "--duration", "500ms", "--rate", "10/s", "--out", out}
			codes[i] = Main(t.Context(), args, &bytes.Buffer{}, &stderrs[i])
		})
	}
	wg.Wait()
	for i, code := range codes {
		if code != 0 {
			t.Fatalf("run --out %s exited %d\nstderr: %s", outs[i], code, &stderrs[i])
		}
	}
	other := filepath.Join(dir, "other.json")
	res, err := metrics.ReadResult(b)
	if err != nil {
		t.Fatal(err)
	}
	res.Scenario = json.RawMessage(`{"name":"another"}`)
	if err := metrics.WriteResult(other, res); err != nil {
		t.Fatal(err)
	}
	notResult := filepath.Join(dir, "not.json")
	if err := os.WriteFile(notResult, []byte(`{"schema":"k6"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c := filepath.Join(dir, "c.json")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr []string
	}{
		{"merged", []string{"merge", a, b, "--out", c}, 0, nil},
		{"other scenario", []string{"merge", a, other, "--out", filepath.Join(dir, "x.json")}, 2, []string{other, "different scenarios"}},
		{"not a result", []string{"merge", a, notResult, "--out", filepath.Join(dir, "x.json")}, 2, []string{notResult, "not a fanbench result"}},
		{"missing file", []string{"merge", a, filepath.Join(dir, "nope.json"), "--out", filepath.Join(dir, "x.json")}, 2, []string{"nope.json"}},
		{"no out", []string{"merge", a, b}, 2, []string{"--out"}},
		{"one file", []string{"merge", a, "--out", c}, 2, []string{"exactly two"}},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := Main(t.Context(), tt.args, &stdout, &stderr)
		if code != tt.wantCode {
			t.Errorf("%s: fanbench %v exited %d, want %d\nstderr: %s", tt.name, tt.args, code, tt.wantCode, &stderr)
		}
		for _, want := range tt.wantStderr {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("%s: stderr lacks %q:\n%s", tt.name, want, &stderr)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.json")); !os.IsNotExist(err) {
		t.Errorf("a refused merge left an output file (stat: %v)", err)
	}
	merged, err := metrics.ReadResult(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range merged.Strategies {
		var started uint64
		for _, w := range s.Windows {
			started += w.Started
		}
		if s.Operations != 10 || started != 10 || s.Latency.Count != 10 {
			t.Errorf("merged %s: %d operations, %d started in windows, latency count %d; want 10 each",
				s.Name, s.Operations, started, s.Latency.Count)
		}
	}
}
