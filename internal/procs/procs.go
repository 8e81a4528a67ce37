// Package procs runs the fanbench binary in tests: built once, without
// the race detector, and started as processes whose output a test waits
// on (the fault suite, the distributed runs' agents). Tests only.
package procs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Build builds cmd/fanbench into dir, without the race detector of the
// tests (whose shadow memory no memory limit would allow, and whose
// slowness would be measured), and returns its path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "fanbench")
	build := exec.Command(goTool(), "build", "-o", bin, "github.com/fanbench/fanbench/cmd/fanbench")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building fanbench: %v\n%s", err, out)
	}
	return bin, nil
}

// Main is the TestMain of a package whose tests start fanbench
// processes: it builds the binary once into a temporary folder (or takes
// the one the environment variable env names, when env is set and so is
// the variable), sets *bin to it, runs the tests, looks for leaked
// goroutines when they passed, and returns the exit code.
func Main(m *testing.M, bin *string, env string) int {
	dir, err := os.MkdirTemp("", "fanbench-procs-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if other := os.Getenv(env); env != "" && other != "" {
		*bin = other
	} else if *bin, err = Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	return code
}

// goTool finds the go command: on the PATH, or in $GOROOT/bin.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

// Process is a process started in the background, its standard error
// (and its standard output, unless the command has one) kept.
type Process struct {
	Cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	code int
}

func (p *Process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

// Start starts cmd; the end of the test kills it if it still runs.
func Start(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	p := &Process{Cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = p
	if cmd.Stdout == nil {
		cmd.Stdout = p
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		var ee *exec.ExitError
		if err := cmd.Wait(); errors.As(err, &ee) {
			p.code = ee.ExitCode()
		}
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// Text is what the process has written so far.
func (p *Process) Text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Done is closed when the process has ended; Code is then its exit code.
func (p *Process) Done() <-chan struct{} { return p.done }

// Code is the exit code, once Done is closed.
func (p *Process) Code() int { return p.code }

// WaitFor waits until the process has written text, for at most within.
func (p *Process) WaitFor(t testing.TB, text string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for !strings.Contains(p.Text(), text) {
		select {
		case <-p.done:
			t.Fatalf("fanbench ended (exit %d) before saying %q:\n%s", p.code, text, p.Text())
		case <-deadline:
			t.Fatalf("fanbench did not say %q within %v:\n%s", text, within, p.Text())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Signal sends sig to the process.
func (p *Process) Signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := p.Cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// Exit waits for the process to end, for at most within, and returns its
// exit code.
func (p *Process) Exit(t testing.TB, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(within):
		t.Fatalf("fanbench did not end within %v:\n%s", within, p.Text())
	}
	return 0
}
