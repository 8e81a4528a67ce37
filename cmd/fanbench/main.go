// Command fanbench measures what it costs to send one operation's data to
// several APIs sequentially, with goroutine fan-out, through a pool or a
// queue, or with hedged requests. See README.md, or run fanbench --help.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The first Ctrl-C cancels ctx: the run stops its load, lets operations
	// in flight finish and writes what it measured. Once ctx is cancelled,
	// stop restores the default handling, so a second Ctrl-C aborts at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
