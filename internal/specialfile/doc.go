// Package specialfile makes special files in a test's folder — a device,
// a FIFO — for tests that check a special file is refused. They never
// name the system's own (/dev/null): a regression, or the fault suite run
// against an old build, would then replace it with a regular file, as
// fanbench did before issue 18 when run as root with --out /dev/null. It
// is for tests only:
//
//	dev := specialfile.NullDevice(t, t.TempDir(), "null") // skips unless root on Linux
package specialfile
