//go:build !linux

package specialfile

import "testing"

// NullDevice skips the test: devices are made on Linux only.
func NullDevice(t testing.TB, dir, name string) string {
	t.Helper()
	t.Skip("devices are made on Linux only")
	return ""
}
