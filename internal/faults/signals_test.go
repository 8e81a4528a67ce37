package faults

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fanbench/fanbench/internal/procs"
	"github.com/fanbench/fanbench/metrics"
)

// start starts fanbench with args in dir; ignore names signals the process
// starts with ignored (as under nohup, or in a background job).
func start(t *testing.T, dir string, ignore []string, args ...string) *procs.Process {
	t.Helper()
	script := `exec "$0" "$@"`
	if len(ignore) > 0 {
		script = `trap "" ` + strings.Join(ignore, " ") + "; " + script
	}
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, fanbench}, args...)...)
	cmd.Dir, cmd.Stdout = dir, io.Discard // stderr is what the tests read
	return procs.Start(t, cmd)
}

// longRun is a run of an hour that a signal stops: 20 operations a second
// against a mock that answers in 5 ms.
var longRun = scenario("load: {rate: 20/s, duration: 1h}")

// TestInterruptedRun: SIGINT, SIGTERM and SIGHUP each stop a run, which
// still writes a valid result marked interrupted, leaves no temporary file
// (and removes the one a killed write left), and exits 128 + the signal's
// number, so a cancelled CI job does not look green.
func TestInterruptedRun(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX signals")
	}
	for _, tt := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{
		{syscall.SIGINT, "SIGINT (Ctrl-C)", 130},
		{syscall.SIGTERM, "SIGTERM", 143},
		{syscall.SIGHUP, "SIGHUP", 129},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write(t, dir, "s.yaml", longRun)
			stale := write(t, dir, ".r.json.4242.tmp", `{"schema": "half a res`) // a write killed by SIGKILL
			old := time.Now().Add(-time.Hour)
			if err := os.Chtimes(stale, old, old); err != nil {
				t.Fatal(err)
			}
			p := start(t, dir, nil, "run", "s.yaml", "--out", "r.json", "--csv", "r.csv")
			p.WaitFor(t, "running fanout", 30*time.Second)
			time.Sleep(300 * time.Millisecond) // some operations
			p.Signal(t, tt.sig)
			if code := p.Exit(t, 30*time.Second); code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, p.Text())
			}
			if want := "the run was interrupted by " + tt.name; !strings.Contains(p.Text(), want) {
				t.Errorf("stderr does not say %q:\n%s", want, p.Text())
			}
			res, err := metrics.ReadResult(filepath.Join(dir, "r.json"))
			if err != nil || !res.Interrupted || len(res.Strategies) != 1 {
				t.Errorf("the result: %v; want a valid result marked interrupted", err)
			}
			if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmps) > 0 {
				t.Errorf("temporary files left: %v", tmps)
			}
		})
	}
}

// TestSecondSignalAborts: with operations that would hold the drain for
// the whole grace period, a second signal ends the process at once, even
// when it started with SIGINT ignored (a background job), where restoring
// the default handling after the first one used to leave the second
// ignored.
func TestSecondSignalAborts(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX signals")
	}
	dir := t.TempDir()
	write(t, dir, "s.yaml", scenario("upstreams:\n  api: {mock: {faults: {hang: 100%}}}", "load: {rate: 20/s, duration: 1h}"))
	p := start(t, dir, []string{"INT"}, "run", "s.yaml", "--out", "r.json")
	p.WaitFor(t, "running fanout", 30*time.Second)
	time.Sleep(200 * time.Millisecond)
	p.Signal(t, syscall.SIGINT)
	p.WaitFor(t, "fanbench: stopping", 10*time.Second)
	began := time.Now()
	p.Signal(t, syscall.SIGINT)
	if code := p.Exit(t, 5*time.Second); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, p.Text())
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("the second signal took %v to end the process, want at once", took)
	}
	if !strings.Contains(p.Text(), "SIGINT (Ctrl-C) again: aborting at once") {
		t.Errorf("stderr does not say it aborts:\n%s", p.Text())
	}
}

// TestNohupIsRespected: a process started with SIGHUP ignored (nohup)
// keeps running when its terminal hangs up; SIGTERM still stops it.
func TestNohupIsRespected(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX signals")
	}
	dir := t.TempDir()
	write(t, dir, "s.yaml", longRun)
	p := start(t, dir, []string{"HUP"}, "run", "s.yaml", "-q", "--out", "r.json")
	time.Sleep(500 * time.Millisecond)
	p.Signal(t, syscall.SIGHUP)
	select {
	case <-p.Done():
		t.Fatalf("SIGHUP ended a run started under nohup (exit %d):\n%s", p.Code(), p.Text())
	case <-time.After(500 * time.Millisecond):
	}
	p.Signal(t, syscall.SIGTERM)
	if code := p.Exit(t, 30*time.Second); code != 143 {
		t.Errorf("exit %d after SIGTERM, want 143\n%s", code, p.Text())
	}
}
