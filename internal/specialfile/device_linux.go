package specialfile

import (
	"path/filepath"
	"syscall"
	"testing"
)

// NullDevice makes a character device like /dev/null (1, 3) named name in
// dir and returns its path; the test is skipped where the process may not
// make devices (not root, or without CAP_MKNOD).
func NullDevice(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("no device can be made here: %v", err)
	}
	return p
}
