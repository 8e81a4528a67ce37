//go:build unix

package specialfile

import (
	"path/filepath"
	"syscall"
	"testing"
)

// FIFO makes a FIFO named name in dir and returns its path; the test is
// skipped where FIFOs cannot be made.
func FIFO(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no FIFO can be made here: %v", err)
	}
	return p
}
