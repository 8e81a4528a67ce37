package waitbound

import (
	"flag"
	"runtime"
	"strconv"
)

// Parallel sets the test binary's -test.parallel to n (or GOMAXPROCS when
// that is larger) unless it was given on the command line, as
// `go test -parallel N` does: an explicit setting always wins. Call it
// from TestMain before m.Run.
func Parallel(n int) {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if given || flag.Lookup("test.parallel") == nil {
		return
	}
	_ = flag.Set("test.parallel", strconv.Itoa(max(n, runtime.GOMAXPROCS(0))))
}
