package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// --warmup and --operations override the file: one operation in the
// warm-up, then exactly three measured.
func TestRunWarmupAndOperationsFlags(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "result.json")
	var stdout, stderr bytes.Buffer
	code := Main(t.Context(), []string{"run", "--example", "seed", "--rate", "20/s", "--warmup", "50ms", "--operations", "3",
		"--strategies", "fanout", "--out", out, "--quiet"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("run exited %d\nstderr: %s", code, &stderr)
	}
	res, err := metrics.ReadResult(out)
	if err != nil {
		t.Fatal(err)
	}
	if sr := res.Strategies[0]; sr.Operations != 3 || sr.Warmup != 1 {
		t.Errorf("%d measured, %d in the warm-up; want 3 and 1", sr.Operations, sr.Warmup)
	}
}

func TestRunLoadFlagErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	head := "name: t\nupstreams: {a: {mock: {latency: 1ms}}}\noperation: {calls: [{upstream: a}]}\nstrategies: [fanout]\n"
	closed := filepath.Join(dir, "closed.yaml")
	ramp := filepath.Join(dir, "ramp.yaml")
	for path, load := range map[string]string{
		closed: "load: {model: closed, users: 2, duration: 1s}",
		ramp:   "load: {stages: [{duration: 1s, target: 5/s}]}",
	} {
		if err := os.WriteFile(path, []byte(head+load+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", closed, "--rate", "5/s"}, "--rate applies to the open model"},
		{[]string{"run", ramp, "--duration", "5s"}, "--duration: this scenario's load ramps in stages"},
		{[]string{"run", ramp, "--warmup", "2s"}, "the warm-up must be shorter than the run (1s)"},
		{[]string{"run", ramp, "--warmup", "soon"}, "--warmup:"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := Main(t.Context(), tt.args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("fanbench %v exited %d with %q; want an error saying %q", tt.args, code, &stderr, tt.want)
		}
	}
}
