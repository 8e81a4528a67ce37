package faults

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

// process is a fanbench process started in the background.
type process struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
	code   int
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.Write(b)
}

func (p *process) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// start starts fanbench with args in dir; ignore names signals the process
// starts with ignored (as under nohup, or in a background job).
func start(t *testing.T, dir string, ignore []string, args ...string) *process {
	t.Helper()
	script := `exec "$0" "$@"`
	if len(ignore) > 0 {
		script = `trap "" ` + strings.Join(ignore, " ") + "; " + script
	}
	p := &process{cmd: exec.Command("/bin/sh", append([]string{"-c", script, fanbench}, args...)...), done: make(chan struct{})}
	p.cmd.Dir, p.cmd.Stderr = dir, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		err := p.cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
		}
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitFor waits until stderr holds text, for at most within.
func (p *process) waitFor(t *testing.T, text string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(p.text(), text) {
		select {
		case <-p.done:
			t.Fatalf("fanbench ended (exit %d) before saying %q:\n%s", p.code, text, p.text())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("fanbench did not say %q within %v:\n%s", text, within, p.text())
		}
	}
}

func (p *process) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// exit waits for the process to end, for at most within, and returns its
// exit code.
func (p *process) exit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(within):
		t.Fatalf("fanbench did not end within %v:\n%s", within, p.text())
	}
	return 0
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
			p.waitFor(t, "running fanout", 30*time.Second)
			time.Sleep(300 * time.Millisecond) // some operations
			p.signal(t, tt.sig)
			if code := p.exit(t, 30*time.Second); code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, p.text())
			}
			if want := "the run was interrupted by " + tt.name; !strings.Contains(p.text(), want) {
				t.Errorf("stderr does not say %q:\n%s", want, p.text())
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
	p.waitFor(t, "running fanout", 30*time.Second)
	time.Sleep(200 * time.Millisecond)
	p.signal(t, syscall.SIGINT)
	p.waitFor(t, "fanbench: stopping", 10*time.Second)
	began := time.Now()
	p.signal(t, syscall.SIGINT)
	if code := p.exit(t, 5*time.Second); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, p.text())
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("the second signal took %v to end the process, want at once", took)
	}
	if !strings.Contains(p.text(), "SIGINT (Ctrl-C) again: aborting at once") {
		t.Errorf("stderr does not say it aborts:\n%s", p.text())
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
	p.signal(t, syscall.SIGHUP)
	select {
	case <-p.done:
		t.Fatalf("SIGHUP ended a run started under nohup (exit %d):\n%s", p.code, p.text())
	case <-time.After(500 * time.Millisecond):
	}
	p.signal(t, syscall.SIGTERM)
	if code := p.exit(t, 30*time.Second); code != 143 {
		t.Errorf("exit %d after SIGTERM, want 143\n%s", code, p.text())
	}
}
