package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/fanbench/fanbench/internal/specialfile"
)

// quickScenario runs one strategy for a fifth of a second against a mock
// that answers at once, writing its data file beside it.
const quickScenario = `name: quick
upstreams:
  api:
    mock: {latency: 1ms}
data: {csv: users.csv}
operation:
  calls: [{upstream: api, path: "/users/{{.Data.user}}"}]
strategies: [fanout]
load: {rate: 20/s, duration: 200ms}
`

// TestOutputPaths: every output is checked against the inputs and the other
// outputs, as files, and for being writable, before any work is done (exit
// code 2, nothing run, nothing written).
func TestOutputPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	write(t, at("s.yaml"), quickScenario)
	write(t, at("users.csv"), "user\nalice\nbob\n")
	result := writeTestResult(t, dir, "r.json", "seed")
	other := writeTestResult(t, dir, "other.json", "seed")
	must(t, os.Symlink("s.yaml", at("link.yaml")))
	must(t, os.Link(result, at("hard.json")))
	must(t, os.Mkdir(at("folder"), 0o755))
	// Special files are made here, never the system's own: a regression
	// would replace /dev/null.
	specialfile.FIFO(t, dir, "fifo")
	scenarioBefore, _ := os.ReadFile(at("s.yaml"))
	resultBefore, _ := os.ReadFile(result)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"two outputs, one file", []string{"run", at("s.yaml"), "--out", at("x.json"), "--html", dir + "/./x.json"},
			"--out and --html both write"},
		{"the result over the scenario", []string{"run", at("s.yaml"), "--out", at("s.yaml")},
			"--out " + at("s.yaml") + " is the scenario file, which this command reads"},
		{"through a symbolic link", []string{"run", at("s.yaml"), "--markdown", at("link.yaml")},
			"is the scenario file " + at("s.yaml") + ", which this command reads"},
		{"over the data file", []string{"run", at("s.yaml"), "--csv", at("users.csv")},
			"is a file the scenario reads,"},
		{"a profile over the result", []string{"run", at("s.yaml"), "--out", at("x.json"), "--cpuprofile", at("x.json")},
			"--out and --cpuprofile both write"},
		{"report over its input", []string{"report", result, "--html", result}, "is the result file, which this command reads"},
		{"report over a hard link to its input", []string{"report", result, "--csv", at("hard.json")}, "is the result file " + result},
		{"compare over its baseline", []string{"compare", result, other, "--out", result}, "is a baseline file, which this command reads"},
		{"merge over an input", []string{"merge", result, other, "--out", other}, "is a result file, which this command reads"},
		{"a FIFO", []string{"run", at("s.yaml"), "--out", at("fifo")}, "--out: cannot write " + at("fifo") + ": it is a FIFO, not a regular file"},
		{"a folder", []string{"report", result, "--markdown", at("folder")}, "it is a folder, not a regular file"},
		{"a missing folder", []string{"run", at("s.yaml"), "--html", at("missing/r.html")},
			"--html: cannot write " + at("missing/r.html") + ": the folder " + at("missing") + " does not exist"},
		{"stdout twice", []string{"run", at("s.yaml"), "--out", "-", "--csv", "-"}, "--out and --csv both write -"},
		// sysfs refuses to create files, even to root: a read-only place
		// whose message names the folder, not a temporary file.
		{"a folder where no file can be made", []string{"run", at("s.yaml"), "--out", "/sys/r.json"},
			"--out: cannot write /sys/r.json: cannot create a file in /sys: permission denied"},
		{"stdout and --format", []string{"report", result, "--csv", "-", "--format", "json"}, "--csv - and --format json both print on stdout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(strings.Join(tt.args, " "), "/sys/") && runtime.GOOS != "linux" {
				t.Skip("sysfs is Linux's")
			}
			var stdout, stderr bytes.Buffer
			code := Main(t.Context(), tt.args, &stdout, &stderr)
			if code != exitInvalid || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("fanbench %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), code, stderr.String(), tt.want)
			}
			if stdout.Len() > 0 || strings.Contains(stderr.String(), "running") {
				t.Errorf("fanbench %s: worked before refusing: stdout %q, stderr %q", strings.Join(tt.args, " "), stdout.String(), stderr.String())
			}
		})
	}
	t.Cleanup(func() {
		if after, _ := os.ReadFile(at("s.yaml")); !bytes.Equal(after, scenarioBefore) {
			t.Error("the scenario file was changed")
		}
		if after, _ := os.ReadFile(result); !bytes.Equal(after, resultBefore) {
			t.Error("the result file was changed")
		}
		if _, err := os.Stat(at("x.json")); err == nil {
			t.Error("x.json was written")
		}
	})
}

// TestOutputToADevice: a device is refused before the run, even through a
// symbolic link; it is made in the test's folder, never /dev/null.
func TestOutputToADevice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "s.yaml"), quickScenario)
	write(t, filepath.Join(dir, "users.csv"), "user\nalice\n")
	dev := specialfile.NullDevice(t, dir, "null")
	must(t, os.Symlink(dev, filepath.Join(dir, "link")))
	for _, out := range []string{dev, filepath.Join(dir, "link")} {
		var stdout, stderr bytes.Buffer
		code := Main(t.Context(), []string{"run", filepath.Join(dir, "s.yaml"), "--out", out}, &stdout, &stderr)
		if code != exitInvalid || !strings.Contains(stderr.String(), "it is a device, not a regular file") || stdout.Len() > 0 {
			t.Errorf("run --out %s: exit %d, stderr %q; want 2 before the run, saying it is a device", out, code, stderr.String())
		}
	}
	if fi, err := os.Stat(dev); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Errorf("the device was replaced: %v, %v", fi, err)
	}
}

// TestOutputToStdout: "-" prints an output on stdout in place of the table.
func TestOutputToStdout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "s.yaml"), quickScenario)
	write(t, filepath.Join(dir, "users.csv"), "user\nalice\n")
	var stdout, stderr bytes.Buffer
	if code := Main(t.Context(), []string{"run", filepath.Join(dir, "s.yaml"), "-q", "--out", "-"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run --out - exited %d: %s", code, stderr.String())
	}
	var r struct{ Schema string }
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil || r.Schema == "" {
		t.Errorf("run --out - printed %q, want the result file only (%v)", stdout.String(), err)
	}
}

// TestWriteFailureAfterTheRun: an output that cannot be written once the
// run is over (its folder removed meanwhile) is exit code 3, naming the
// file, not 2; the table is still printed.
func TestWriteFailureAfterTheRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "s.yaml"), quickScenario)
	write(t, filepath.Join(dir, "users.csv"), "user\nalice\n")
	outDir := filepath.Join(dir, "out")
	must(t, os.Mkdir(outDir, 0o755))
	out := filepath.Join(outDir, "r.json")
	var stdout bytes.Buffer
	stderr := &onWrite{match: "running fanout", do: func() { _ = os.RemoveAll(outDir) }}
	code := Main(t.Context(), []string{"run", filepath.Join(dir, "s.yaml"), "--out", out}, &stdout, stderr)
	got := stderr.String()
	if code != exitError || !strings.Contains(got, "writing the result (--out): cannot write "+out) {
		t.Errorf("run whose output folder went away: exit %d, stderr %q; want exit 3 naming %s", code, got, out)
	}
	if strings.Contains(got, ".tmp") {
		t.Errorf("the message names a temporary file: %q", got)
	}
	if !strings.Contains(stdout.String(), "fanout") {
		t.Errorf("the table was not printed: %q", stdout.String())
	}
}

// onWrite is a writer that calls do once, when what is written so far
// contains match.
type onWrite struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	match string
	do    func()
	done  bool
}

func (w *onWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if !w.done && strings.Contains(w.buf.String(), w.match) {
		w.done = true
		w.do()
	}
	return n, err
}

func (w *onWrite) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func write(t *testing.T, path, data string) {
	t.Helper()
	must(t, os.WriteFile(path, []byte(data), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
