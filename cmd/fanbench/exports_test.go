package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --hlog writes SCENARIO.hlog in its folder (made if missing), and
// fanbench report reads it back as a line per tag.
func TestRunWritesAnIntervalLog(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "logs")
	var stdout, stderr bytes.Buffer
	code := Main(t.Context(), []string{"run", "--example", "seed", "--rate", "20/s", "--duration", "1200ms",
		"--strategies", "fanout", "--hlog", dir}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("run exited %d\nstderr: %s", code, &stderr)
	}
	path := filepath.Join(dir, "seed.hlog")
	if !strings.Contains(stderr.String(), "interval log written to "+path) {
		t.Errorf("stderr does not say the log was written:\n%s", &stderr)
	}
	stdout.Reset()
	stderr.Reset()
	if code := Main(t.Context(), []string{"report", path}, &stdout, &stderr); code != 0 {
		t.Fatalf("report exited %d\nstderr: %s", code, &stderr)
	}
	for _, want := range []string{"p99 (ms)", "fanout.latency", "fanout.service_time", "fanout.schedule_lag", "fanout.upstream.profile", "fanout.upstream.audit"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report of the log lacks %q:\n%s", want, &stdout)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.hlog")
	if err := os.WriteFile(bad, []byte("Tag=x,1,1,1,HISTFAAAAnot-base64\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"report", bad}, {"report", path, "result.json"}, {"report", path, "--format", "json"}} {
		stderr.Reset()
		if code := Main(t.Context(), args, &stdout, &stderr); code != 2 {
			t.Errorf("fanbench %v exited %d, want 2 (stderr %q)", args, code, &stderr)
		}
	}
}
