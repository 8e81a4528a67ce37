package waitbound

import (
	"flag"
	"runtime"
	"strconv"
	"testing"
)

// Parallel raises -test.parallel when it was not given, and leaves it
// alone when it was (go test -parallel N passes it on).
func TestParallel(t *testing.T) {
	f := flag.Lookup("test.parallel")
	if f == nil {
		t.Fatal("no -test.parallel flag in a test binary")
	}
	before := f.Value.String()
	t.Cleanup(func() { _ = flag.Set("test.parallel", before) })

	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	want := strconv.Itoa(runtime.GOMAXPROCS(0) + 3)
	Parallel(runtime.GOMAXPROCS(0) + 3)
	if got := f.Value.String(); given && got != before || !given && got != want {
		t.Errorf("after Parallel(GOMAXPROCS+3): -test.parallel = %s (given on the command line: %v, was %s); want %s",
			got, given, before, map[bool]string{true: before, false: want}[given])
	}
	// Once set, as by the command line, it stays.
	first := f.Value.String()
	Parallel(runtime.GOMAXPROCS(0) + 7)
	if got := f.Value.String(); got != first {
		t.Errorf("a second Parallel changed -test.parallel from %s to %s; want it kept", first, got)
	}
}
