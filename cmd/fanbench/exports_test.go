package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
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

// --otlp to a collector that is not there: the run goes on and says so
// in a warning of the result; a URL that is not OTLP/HTTP is refused
// before anything runs.
func TestRunOTLPFlag(t *testing.T) {
	t.Parallel()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	out := filepath.Join(t.TempDir(), "result.json")
	var stdout, stderr bytes.Buffer
	code := Main(t.Context(), []string{"run", "--example", "seed", "--rate", "20/s", "--duration", "1200ms",
		"--strategies", "fanout", "--otlp", gone.URL, "--out", out, "-q"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("run exited %d\nstderr: %s", code, &stderr)
	}
	res, err := metrics.ReadResult(out)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "OpenTelemetry export to "+gone.URL) }) {
		t.Errorf("no warning about the failed exports: %q", res.Warnings)
	}
	for _, bad := range []string{"grpc://localhost:4317", "localhost:4318"} {
		stderr.Reset()
		if code := Main(t.Context(), []string{"run", "--example", "seed", "--otlp", bad}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "--otlp") {
			t.Errorf("--otlp %s exited %d: %s", bad, code, &stderr)
		}
	}
}
