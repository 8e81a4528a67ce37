package faults

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/internal/procs"
)

var update = flag.Bool("update", false, "rewrite the golden messages in testdata/")

// fanbench is the binary under test, built once by TestMain: without the
// race detector, whose shadow memory no memory limit would allow.
var fanbench string

// binaryEnv names another fanbench binary to run the suite against (an
// installed one, an older build) instead of building this tree's.
const binaryEnv = "FANBENCH_FAULTS_BINARY"

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(procs.Main(m, &fanbench, binaryEnv))
}

// result is how a fanbench process ended.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// run runs fanbench with args in dir, with env added to the environment,
// for at most a minute (a hang fails the test rather than the suite).
func run(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return runCommand(t, exec.Command(fanbench, args...), dir, env)
}

// runLimited runs fanbench under a limit of its address space (ulimit -v,
// in KiB), as a machine with that much memory would.
func runLimited(t *testing.T, dir string, kib int, env []string, args ...string) result {
	t.Helper()
	script := fmt.Sprintf(`ulimit -v %d && exec "$0" "$@"`, kib)
	return runCommand(t, exec.Command("/bin/sh", append([]string{"-c", script, fanbench}, args...)...), dir, env)
}

func runCommand(t *testing.T, cmd *exec.Cmd, dir string, env []string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	c.Dir, c.Env = dir, append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	began := time.Now()
	err := c.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(began)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("fanbench %s: %v", strings.Join(cmd.Args[1:], " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("fanbench %s did not end within a minute", strings.Join(cmd.Args[1:], " "))
	}
	return r
}

// crashed reports whether a process died of a Go fatal error or a panic
// rather than ending with a message: Go exits 2 for those too.
func crashed(stderr string) bool {
	return strings.Contains(stderr, "fatal error:") || strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ")
}

// machineFigures are the parts of a message that depend on this machine:
// its memory, the files a process may open, what fits in them.
var machineFigures = []*regexp.Regexp{
	regexp.MustCompile(`(more than the )[0-9.]+ [KMGTPE]iB( of memory here)`),
	regexp.MustCompile(`(; at most )[0-9]+( fit| users here)`),
	regexp.MustCompile(`(more than the )[0-9]+( files this process may open)`),
}

// normalize makes a message comparable across machines and runs: the
// temporary folder becomes $DIR, this machine's figures ….
func normalize(msg, dir string) string {
	msg = strings.ReplaceAll(msg, dir, "$DIR")
	for _, re := range machineFigures {
		msg = re.ReplaceAllString(msg, "${1}…${2}")
	}
	return msg
}

// wantGolden compares a message with testdata/NAME.golden.
func wantGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/faults -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("message:\n%s\nwant (%s):\n%s", got, path, want)
	}
}

// write writes a file in dir.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
