package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout))
}

// checks are the subcommands, by name.
var checks = map[string]func(ctx context.Context, o options, out io.Writer) error{
	"capacity": capacity,
	"accuracy": accuracy,
	"memory":   memory,
	"scale":    scale,
	"wide":     wide,
	// jetstream: fanbench's JetStream broker against nats bench.
	"jetstream": jetstream,
}

// options are the flags every check shares.
type options struct {
	fanbench string        // the fanbench binary to run
	duration time.Duration // length of each measured run (capacity, scale; memory's short run)
	long     time.Duration // memory: the long run
	workers  int           // capacity: requests in flight for each tool
	rounds   int           // capacity: rounds of the three tools; the best of each counts
	rate     int           // scale: operations/s (each 2 s long)
	calls    int           // scale: calls per operation (1 or 2)
	mock     string        // wide: standalone (a niced mock process) or inprocess
	workDir  string        // where scenario and result files go
	client   string        // fanbench's HTTP client (fast, std); "" for the default
	// mockServer is the standalone mock's HTTP server (fast, std): "" for
	// each check's default (std for capacity, fast for the others).
	mockServer string
}

func run(ctx context.Context, args []string, out io.Writer) int {
	if len(args) == 0 || checks[args[0]] == nil {
		fmt.Fprintln(os.Stderr, "usage: speedcheck capacity|accuracy|memory|scale|wide|jetstream [--fanbench bin/fanbench] [--duration D] [--long D] [--workers N] [--rounds N] [--client fast|std] [--mock standalone|inprocess] [--mock-server fast|std]")
		return 2
	}
	name := args[0]
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var o options
	fs.StringVar(&o.fanbench, "fanbench", "bin/fanbench", "the fanbench binary to run")
	fs.DurationVar(&o.duration, "duration", 0, "length of each measured run (default: capacity 8s, memory 10s, scale 10s)")
	fs.DurationVar(&o.long, "long", 60*time.Second, "memory: length of the long run")
	fs.StringVar(&o.client, "client", "", "fanbench's HTTP client for the upstreams' calls: fast or std (default: the scenario default, fast)")
	fs.IntVar(&o.workers, "workers", 64, "capacity: requests in flight for each tool")
	fs.IntVar(&o.rate, "rate", 5000, "scale: operations/s, each 2 s long (5,000/s holds 10,000 in flight)")
	fs.IntVar(&o.calls, "calls", 1, "scale: calls per operation, 1 or 2 (a connection each, and this machine allows 20,000 descriptors a process)")
	fs.IntVar(&o.rounds, "rounds", 0, "rounds, interleaved; medians are compared (default: capacity 3, accuracy 3, jetstream 1)")
	fs.StringVar(&o.mockServer, "mock-server", "", "the standalone mock's HTTP server: fast (fanbench's own) or std (net/http's; the capacity check's default, the server the issue's capacity targets name)")
	fs.StringVar(&o.mock, "mock", "standalone", "wide: the shard in a process of its own at nice 15 (standalone) or in fanbench's (inprocess)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if o.duration <= 0 {
		o.duration = map[string]time.Duration{"capacity": 5 * time.Second, "accuracy": 5 * time.Second, "memory": 10 * time.Second, "scale": 10 * time.Second, "wide": 10 * time.Second}[name]
	}
	if o.rounds <= 0 {
		o.rounds = map[string]int{"capacity": 3, "accuracy": 3}[name]
		o.rounds = max(o.rounds, 1)
	}
	dir, err := os.MkdirTemp("", "fanbench-speedcheck-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "speedcheck:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	o.workDir = dir
	if err := checks[name](ctx, o, out); err != nil {
		fmt.Fprintf(os.Stderr, "speedcheck %s: %v\n", name, err)
		if errors.Is(err, context.Canceled) {
			return 130
		}
		return 1
	}
	return 0
}
