package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// A failed threshold makes the run exit 1, after the table is printed and
// the result written; thresholds that pass leave it at 0. The bounds are
// far from the 20 ms mock, so the verdicts do not depend on the machine.
func TestRunThresholds(t *testing.T) {
	t.Parallel()
	const head = "name: t\nupstreams: {a: {mock: {latency: 20ms}}}\noperation: {calls: [{upstream: a}]}\n" +
		"strategies: [sequential, fanout]\nload: {rate: 20/s, operations: 3}\n"
	tests := []struct {
		name       string
		thresholds string
		wantCode   int
		wantStdout []string
		wantStderr []string
		wantFailed int
	}{
		{"pass", "thresholds:\n  all: [\"p99 < 10s\", \"error_rate < 50%\", \"harness_overhead_p99 < 5s\"]\n  fanout: [\"throughput > 0.1/s\"]\n",
			0, []string{"p99 < 10s", "throughput > 0.1/s", "pass", "thresholds: all 7 passed"}, nil, 0},
		{"fail", "thresholds:\n  all: [\"error_rate < 50%\"]\n  fanout: [\"p50 < 1ms\"]\n",
			1, []string{"fanout", "p50 < 1ms", "FAIL", "thresholds: 1 of 3 FAILED"},
			[]string{"fanbench: thresholds failed: 1 of 3: fanout: p50 < 1ms", "result written to"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			file, out := filepath.Join(dir, "t.yaml"), filepath.Join(dir, "result.json")
			if err := os.WriteFile(file, []byte(head+tt.thresholds), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := Main(t.Context(), []string{"run", file, "--out", out}, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("run exited %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, &stdout, &stderr)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, &stdout)
				}
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, &stderr)
				}
			}
			res, err := metrics.ReadResult(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Thresholds) == 0 || res.FailedThresholds() != tt.wantFailed {
				t.Errorf("result file holds %d verdicts, %d failed; want %d failed", len(res.Thresholds), res.FailedThresholds(), tt.wantFailed)
			}
		})
	}
}

// A bad threshold is a bad scenario: exit 2, with its place in the file.
func TestValidateThresholds(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "t.yaml")
	src := "name: t\nupstreams: {a: {mock: {latency: 1ms}}}\noperation: {calls: [{upstream: a}]}\n" +
		"strategies: [fanout]\nload: {rate: 20/s, operations: 3}\nthresholds: {fanuot: [\"p99 < 1s\"], all: [\"p99 > 5\"]}\n"
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(t.Context(), []string{"validate", file}, &stdout, &stderr)
	if code != 2 {
		t.Fatalf("validate exited %d, want 2\nstderr: %s", code, &stderr)
	}
	for _, want := range []string{file + ":6:14: thresholds.fanuot", `did you mean "fanout"?`, file + ":6:42: thresholds.all[0]: at column 7"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, &stderr)
		}
	}
}
