package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// jetstreamTarget is the bar: fanbench's broker publishes at least
// this share of nats bench's rate, in the same mode, on the same server.
const jetstreamTarget = 0.8

// jetstreamMsgs is how many messages each run publishes, by mode: a sync
// publish waits a round trip each, so it gets fewer.
var jetstreamMsgs = map[string]int{"sync": 10_000, "async": 50_000}

// jetstreamInflight is how many publishes are in flight in async mode:
// nats bench's --batch, and the publishers of fanbench's benchmark.
const jetstreamInflight = 100

// jetstream runs fanbench's JetStream broker (BenchmarkPublish of
// brokers/jetstream, pointed at the server) and nats bench js pub from the
// natscli pinned in go.mod against one nats-server process on loopback,
// interleaved, for each storage and publish mode, and prints the medians
// and their ratio.
func jetstream(ctx context.Context, o options, out io.Writer) error {
	bins, err := jetstreamBinaries(ctx, o.workDir)
	if err != nil {
		return err
	}
	url, stop, err := startNATSServer(bins.server, o.workDir)
	if err != nil {
		return err
	}
	defer stop()
	size := 21 // fanbench's message body (brokers/jetstream's codec), with a Nats-Msg-Id header on both sides
	fmt.Fprintf(out, "nats-server on %s; %d-byte messages with a Nats-Msg-Id; sync: 1 publisher, %d messages; async: %d in flight, %d messages; %d round(s)\n",
		url, size, jetstreamMsgs["sync"], jetstreamInflight, jetstreamMsgs["async"], o.rounds)
	type pair struct{ nats, fanbench []float64 }
	results := map[string]*pair{}
	var order []string
	for round := range o.rounds {
		for _, storage := range []string{"memory", "file"} {
			for _, mode := range []string{"sync", "async"} {
				key := mode + " " + storage
				if results[key] == nil {
					results[key] = &pair{}
					order = append(order, key)
				}
				nats := func() error {
					r, err := natsBench(ctx, bins.nats, url, storage, mode, size)
					results[key].nats = append(results[key].nats, r)
					return err
				}
				fb := func() error {
					r, err := fanbenchPublish(ctx, bins.test, url, storage, mode)
					results[key].fanbench = append(results[key].fanbench, r)
					return err
				}
				first, second := nats, fb
				if round%2 == 1 { // alternate who goes first
					first, second = fb, nats
				}
				if err := first(); err != nil {
					return err
				}
				if err := second(); err != nil {
					return err
				}
				p := results[key]
				fmt.Fprintf(out, "  round %d %-13s nats bench %8.0f msgs/s   fanbench %8.0f msgs/s\n", round+1, key, p.nats[round], p.fanbench[round])
			}
		}
	}
	fmt.Fprintf(out, "\n%-14s %14s %14s %8s %12s\n", "mode storage", "nats bench", "fanbench", "ratio", "(each round)")
	ok := true
	for _, key := range order {
		p := results[key]
		var ratios []string
		for i := range p.nats {
			ratios = append(ratios, fmt.Sprintf("%.2f", p.fanbench[i]/p.nats[i]))
		}
		ratio := median(p.fanbench) / median(p.nats)
		ok = ok && ratio >= jetstreamTarget
		fmt.Fprintf(out, "%-14s %9.0f msg/s %9.0f msg/s %7.2f× %12s  %s\n", key, median(p.nats), median(p.fanbench), ratio,
			strings.Join(ratios, " "), verdict(ratio >= jetstreamTarget))
	}
	fmt.Fprintf(out, "target: fanbench ≥ %.1f× nats bench (medians) in every mode: %s\n", jetstreamTarget, verdict(ok))
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

type jsBinaries struct{ server, nats, test string }

// jetstreamBinaries builds nats-server from the module go.mod requires,
// the nats CLI pinned as a tool, and the brokers/jetstream test binary.
func jetstreamBinaries(ctx context.Context, dir string) (jsBinaries, error) {
	b := jsBinaries{server: filepath.Join(dir, "nats-server"), nats: filepath.Join(dir, "nats"), test: filepath.Join(dir, "jetstream.test")}
	for _, args := range [][]string{
		{"build", "-o", b.server, "github.com/nats-io/nats-server/v2"},
		{"build", "-o", b.nats, "github.com/nats-io/natscli/nats"},
		{"test", "-c", "-o", b.test, "./brokers/jetstream"},
	} {
		if out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
			return b, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return b, nil
}

// startNATSServer starts nats-server with JetStream on a free loopback
// port, its store under dir.
func startNATSServer(bin, dir string) (url string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	logFile, err := os.Create(filepath.Join(dir, "nats-server.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "-js", "-a", "127.0.0.1", "-p", port, "-sd", filepath.Join(dir, "store"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = logFile.Close()
	}
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
			_ = c.Close()
			return "nats://127.0.0.1:" + port, stop, nil
		}
		if time.Now().After(end) {
			stop()
			return "", nil, errors.New("nats-server did not start listening: see its log in the work directory")
		}
	}
}

// natsBench runs nats bench js pub in a mode on a stream of its own per
// storage (purged first) and returns its msgs/sec.
func natsBench(ctx context.Context, bin, url, storage, mode string, size int) (float64, error) {
	args := []string{"-s", url, "bench", "js", "pub", mode, "--create", "--purge", "--no-progress", "--dedup",
		"--stream", "natsbench_" + storage, "--storage", storage, "--size", strconv.Itoa(size) + "B",
		"--msgs", strconv.Itoa(jetstreamMsgs[mode])}
	if mode == "async" {
		args = append(args, "--batch", strconv.Itoa(jetstreamInflight))
	}
	args = append(args, "natsbench."+storage)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("nats %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	r, err := parseNatsBench(string(out))
	if err != nil {
		return 0, fmt.Errorf("nats bench output: %w\n%s", err, out)
	}
	return r, nil
}

// fanbenchPublish runs BenchmarkPublish/<storage>/<mode> of
// brokers/jetstream against the server and returns its msgs/s.
func fanbenchPublish(ctx context.Context, test, url, storage, mode string) (float64, error) {
	cmd := exec.CommandContext(ctx, test, "-test.run", "^$", "-test.bench", "^BenchmarkPublish$/^"+storage+"$/^"+mode+"$",
		"-test.benchtime", strconv.Itoa(jetstreamMsgs[mode])+"x")
	cmd.Env = append(os.Environ(), "FANBENCH_NATS_URL="+url, "FANBENCH_JS_INFLIGHT="+strconv.Itoa(jetstreamInflight))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("BenchmarkPublish/%s/%s: %w\n%s", storage, mode, err, out)
	}
	r, err := parseGoBench(string(out), "msgs/s")
	if err != nil {
		return 0, fmt.Errorf("BenchmarkPublish output: %w\n%s", err, out)
	}
	return r, nil
}

// parseNatsBench finds the rate in nats bench's stats line:
// "... publisher stats: 35,202 msgs/sec ~ 722 KiB/sec ~ ...".
func parseNatsBench(out string) (float64, error) {
	for line := range strings.SplitSeq(out, "\n") {
		_, after, ok := strings.Cut(line, "stats: ")
		if !ok {
			continue
		}
		num, _, ok := strings.Cut(after, " msgs/sec")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(num), ",", ""), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("rate %q: not a positive number", num)
		}
		return v, nil
	}
	return 0, errors.New("no \"stats: N msgs/sec\" line")
}

// parseGoBench finds a benchmark's metric with unit in go test -bench
// output: "BenchmarkPublish/memory/sync-2  20000  37874 ns/op  26304 msgs/s".
func parseGoBench(out, unit string) (float64, error) {
	for line := range strings.SplitSeq(out, "\n") {
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		for i := 1; i < len(f); i++ {
			if f[i] != unit {
				continue
			}
			v, err := strconv.ParseFloat(f[i-1], 64)
			if err != nil || !(v > 0) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("%s %q: not a positive number", unit, f[i-1])
			}
			return v, nil
		}
	}
	return 0, fmt.Errorf("no benchmark line with %s", unit)
}
