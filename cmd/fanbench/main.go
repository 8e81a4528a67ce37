// Command fanbench measures what it costs to send one operation's data to
// several APIs sequentially, with goroutine fan-out, through a pool or a
// queue, or with hedged requests. See README.md, or run fanbench --help.
package main

import (
	"context"
	"os"
)

func main() {
	// The first SIGINT, SIGTERM or SIGHUP cancels ctx: the run stops its
	// load, lets operations in flight finish and writes what it measured,
	// then exits 128 + the signal's number. The second aborts at once.
	ctx, stop := watchSignals(context.Background(), os.Stderr, os.Exit)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
