//go:build !unix

package specialfile

import "testing"

// FIFO skips the test: FIFOs are made on Unix only.
func FIFO(t testing.TB, dir, name string) string {
	t.Helper()
	t.Skip("FIFOs are made on Unix only")
	return ""
}
