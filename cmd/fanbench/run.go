package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fanbench/fanbench/internal/gcfloor"
	"github.com/fanbench/fanbench/internal/suggest"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

// runFlags are the flags of fanbench run. Only flags the user set override
// the scenario file.
type runFlags struct {
	example    string
	out        string
	html       string
	markdown   string
	csv        string
	format     string
	quiet      bool
	noColor    bool
	wide       bool
	rate       string
	duration   string
	warmup     string
	operations uint64
	repeats    int
	seed       uint64
	strategies []string
	cpuProfile string
	memProfile string
	trace      string
	hlog       string
	otlp       string
	breakdown  bool
	dist       distFlags
}

func newRunCmd(stdout, stderr io.Writer) *cobra.Command {
	return newRunCmdWith(new(runFlags), stdout, stderr)
}

// newRunCmdWith is the run command, its flags parsed into f: an agent
// parses a plan's flags with it, to apply them as the coordinator did.
func newRunCmdWith(f *runFlags, stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run [FILE | --example NAME]",
		Short: "Run a scenario: every strategy in turn, then print the table",
		Long: `Run a scenario file, or an embedded example, strategy by strategy, each on
fresh mock upstreams with the same paired draws, and print a table of what each
strategy measured. Flags override the file's values only when given.

Every output is checked before the run: one that is an input or another output,
or that cannot be written, is exit code 2 (- prints an output on stdout instead
of the table). The first Ctrl-C (or SIGTERM, SIGHUP) stops the load, lets
operations in flight finish for up to 10s, writes what was measured and exits
128 + the signal's number (130 for Ctrl-C); a second one aborts at once.`,
		Example: `  fanbench run --example seed
  fanbench run scenario.yaml --out result.json
  fanbench run scenario.yaml --rate 50/s --duration 30s --strategies fanout
  fanbench run --example seed --format json > result.json
  fanbench run scenario.yaml --agents 3 --local --out result.json
  fanbench run scenario.yaml --agents 3 --nats nats://nats.internal:4222 --out result.json`,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return usagef("run takes one scenario file, got %d", len(args))
			case len(args) == 1 && f.example != "":
				return usagef("give a scenario file or --example, not both")
			case len(args) == 0 && f.example == "":
				return usagef("run needs a scenario file or --example NAME (see fanbench examples)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.dist.agents > 0 || f.dist.local || f.dist.nats != "" {
				return runDistributed(cmd, args, f, stdout, stderr)
			}
			return runRun(cmd, args, f, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.example, "example", "", "run the embedded example `NAME` (see fanbench examples)")
	fl.StringVarP(&f.out, "out", "o", "", "write the result file (JSON) to `PATH`, atomically")
	fl.StringVar(&f.html, "html", "", "write a self-contained HTML report with charts to `PATH`, atomically")
	fl.StringVar(&f.markdown, "markdown", "", "write the Markdown summary (for a pull-request comment) to `PATH`, atomically")
	fl.StringVar(&f.csv, "csv", "", "write the CSV (a row per strategy and per upstream) to `PATH`, atomically")
	fl.StringVar(&f.format, "format", "table", "what to print on stdout: "+strings.Join(outputFormats, ", "))
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print no progress on stderr")
	fl.BoolVarP(&f.wide, "wide", "v", false, "show every column of the headline table and the detail tables (per upstream, outcomes, particulars, cost)")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `PATH` (go tool pprof PATH), to see where fanbench itself spends its time")
	fl.StringVar(&f.memProfile, "memprofile", "", "write a heap profile at the end of the load to `PATH` (go tool pprof PATH), to see what fanbench holds in memory")
	fl.StringVar(&f.trace, "trace", "", "write a runtime execution trace of the run to `PATH` (go tool trace PATH), to see what held the generator up when it fell behind")
	fl.StringVar(&f.hlog, "hlog", "", "write an HdrHistogram interval log (a histogram a second per strategy and metric) to `DIR`/SCENARIO.hlog; read it with fanbench report")
	fl.StringVar(&f.otlp, "otlp", "", "export OpenTelemetry metrics every second to the OTLP/HTTP collector at `URL` (such as http://localhost:4318), or to the OTEL_EXPORTER_OTLP_ENDPOINT variable's with env; OTEL_* variables configure the rest")
	fl.BoolVar(&f.breakdown, "breakdown", false, "trace every request (net/http/httptrace, so every call goes through the std client) and show where the calls' time went per upstream: DNS, connect, TLS, time to first byte, body, connections opened and reused (--wide, the HTML report, the result)")
	fl.BoolVar(&f.noColor, "no-color", false, "never colour the table (colour is used only on a terminal, and never when NO_COLOR is set)")
	fl.StringVar(&f.rate, "rate", "", "override load.rate, e.g. 50/s")
	fl.StringVar(&f.duration, "duration", "", "override load.duration, e.g. 30s")
	fl.StringVar(&f.warmup, "warmup", "", "override load.warmup: run but do not measure the first part of the load, e.g. 5s")
	fl.Uint64Var(&f.operations, "operations", 0, "override load.operations: end the load after N measured operations")
	fl.IntVar(&f.repeats, "repeats", 0, "override load.repeats: run every strategy N times, each round with the same seed, for fanbench compare")
	fl.Uint64Var(&f.seed, "seed", 0, "override the seed of the paired draws")
	fl.StringSliceVar(&f.strategies, "strategies", nil, "run only these strategies, by name or label, e.g. sequential,fanout")
	addDistFlags(fl, &f.dist)
	return cmd
}

func runRun(cmd *cobra.Command, args []string, f *runFlags, stdout, stderr io.Writer) error {
	var sc *scenarios.Scenario
	var err error
	if f.example != "" {
		sc, err = scenarios.Example(f.example)
	} else {
		sc, err = scenarios.Load(args[0])
	}
	if err != nil {
		return err
	}
	defer gcfloor.Keep(gcfloor.Default)() // see package gcfloor: fewer collections in small runs
	if err := applyOverrides(cmd, sc, f); err != nil {
		return err
	}
	outs := runOutputs(cmd, sc, f, stdout)
	if err := outs.check(); err != nil {
		return err
	}
	if err := checkFiles(runFiles(sc, outs, f)); err != nil {
		return err
	}
	for _, r := range []recording{
		{"--cpuprofile", f.cpuProfile, pprof.StartCPUProfile, pprof.StopCPUProfile},
		{"--trace", f.trace, trace.Start, trace.Stop},
	} {
		if r.path == "" {
			continue
		}
		stop, err := r.begin()
		if err != nil {
			return err
		}
		defer stop()
	}
	exp, err := startExports(cmd.Context(), sc, liveOutput(cmd, "hlog", f.hlog, sc.Report), liveOutput(cmd, "otlp", f.otlp, sc.Report))
	if err != nil {
		return err
	}
	res, err := runWithProgress(cmd.Context(), sc, runner.Options{Version: version(), Exporters: exp.list(), Breakdown: f.breakdown}, stderr, f.quiet)
	expErr := exp.finish(res, stderr, f.quiet)
	if err != nil {
		return err
	}
	// The outputs first: a profile that cannot be written must not cost
	// the run's result.
	outErr := errors.Join(expErr, writeOutputs(stdout, stderr, res, outs, f.quiet))
	if f.memProfile != "" {
		if err := writeHeapProfile(f.memProfile); err != nil {
			return errors.Join(outErr, err)
		}
	}
	if outErr != nil {
		return outErr
	}
	if res.Interrupted {
		return interruptedError{cause: context.Cause(cmd.Context()), also: thresholdsVerdict(res)}
	}
	return thresholdsVerdict(res)
}

// runOutputs is what the run writes: the scenario's report block, with
// the flags the user set over it.
func runOutputs(cmd *cobra.Command, sc *scenarios.Scenario, f *runFlags, stdout io.Writer) outputs {
	o := outputs{format: f.format, formatSet: cmd.Flags().Changed("format"), color: !f.noColor && colorable(stdout), wide: f.wide, width: termWidth(stdout)}
	if r := sc.Report; r != nil {
		o.out, o.html, o.markdown, o.csv = r.JSON, r.HTML, r.Markdown, r.CSV
	}
	fl := cmd.Flags()
	for _, over := range []struct {
		flag string
		to   *string
		v    string
	}{{"out", &o.out, f.out}, {"html", &o.html, f.html}, {"markdown", &o.markdown, f.markdown}, {"csv", &o.csv, f.csv}} {
		if fl.Changed(over.flag) {
			*over.to = over.v
		}
	}
	return o
}

// runFiles lists the files a run reads and writes, for checkFiles: the
// scenario's own files, then the outputs and the profiles.
func runFiles(sc *scenarios.Scenario, o outputs, f *runFlags) []fileUse {
	var uses []fileUse
	for i, file := range sc.Files() {
		name := "a file the scenario reads,"
		if i == 0 && file == sc.File {
			name = "the scenario file"
		}
		uses = append(uses, input(name, file))
	}
	uses = append(uses, o.uses()...)
	return append(uses, output("--cpuprofile", f.cpuProfile), output("--memprofile", f.memProfile), output("--trace", f.trace))
}

// thresholdsVerdict is errThresholds, naming the failed thresholds, when
// any failed; an interrupted run is judged on what it measured, and says so.
func thresholdsVerdict(res *metrics.Result) error {
	n := res.FailedThresholds()
	if n == 0 {
		return nil
	}
	var failed []string
	for _, t := range res.Thresholds {
		if !t.Pass {
			f := t.Strategy + ": " + t.Threshold
			if t.Note != "" {
				f += " (" + t.Note + ")"
			}
			failed = append(failed, f)
		}
	}
	partial := ""
	if res.Interrupted {
		partial = " (judged on the interrupted run)"
	}
	return fmt.Errorf("%w: %d of %d%s: %s", errThresholds, n, len(res.Thresholds), partial, strings.Join(failed, "; "))
}

// applyOverrides puts the flags the user set over the scenario's values.
func applyOverrides(cmd *cobra.Command, sc *scenarios.Scenario, f *runFlags) error {
	fl := cmd.Flags()
	if fl.Changed("rate") {
		var r units.Rate
		if err := r.UnmarshalText([]byte(f.rate)); err != nil {
			return usagef("--rate: %v", err)
		}
		if r <= 0 {
			return usagef("--rate %q: the rate must be above 0", f.rate)
		}
		if sc.Load.Model == scenarios.ModelClosed {
			return usagef("--rate applies to the open model; this scenario's load is model: closed (set its users in the file)")
		}
		if len(sc.Load.Stages) > 0 { // a constant rate for the length of the ramp
			if sc.Load.Duration == 0 {
				sc.Load.Duration = units.Duration(sc.Load.Length())
			}
			sc.Load.Stages = nil
		}
		sc.Load.Rate = r
	}
	if fl.Changed("duration") {
		var d units.Duration
		if err := d.UnmarshalText([]byte(f.duration)); err != nil {
			return usagef("--duration: %v", err)
		}
		if d <= 0 {
			return usagef("--duration %q: the duration must be above 0", f.duration)
		}
		if len(sc.Load.Stages) > 0 {
			return usagef("--duration: this scenario's load ramps in stages, which set its length; change them in the file")
		}
		sc.Load.Duration = d
	}
	if fl.Changed("operations") {
		sc.Load.Operations = f.operations
	}
	if fl.Changed("warmup") {
		var d units.Duration
		if err := d.UnmarshalText([]byte(f.warmup)); err != nil {
			return usagef("--warmup: %v", err)
		}
		sc.Load.Warmup = d
	}
	if n := sc.Load.Length(); n > 0 && sc.Load.Warmup.D() >= n {
		return usagef("--warmup %v: the warm-up must be shorter than the run (%v)", sc.Load.Warmup, n)
	}
	if fl.Changed("repeats") {
		switch {
		case f.repeats < 1 || f.repeats > scenarios.MaxRepeats:
			return usagef("--repeats %d: want 1 to %d", f.repeats, scenarios.MaxRepeats)
		case f.repeats > 1 && sc.Load.Sweep != nil:
			return usagef("--repeats: this scenario's load is a sweep, which cannot be repeated")
		}
		sc.Load.Repeats = f.repeats
	}
	if fl.Changed("seed") {
		sc.Seed = f.seed
	}
	if fl.Changed("strategies") {
		var keep []scenarios.Strategy
		for _, name := range f.strategies {
			name = strings.TrimSpace(name)
			i := slices.IndexFunc(sc.Strategies, func(s scenarios.Strategy) bool { return s.Title() == name })
			switch {
			case i >= 0:
				keep = append(keep, sc.Strategies[i])
			case slices.Contains(strategies.Names(), name):
				keep = append(keep, scenarios.NewStrategy(name))
			default:
				return usagef("--strategies: unknown strategy %q%s", name, suggest.Choices(name, "allowed", strategies.Names()))
			}
		}
		if len(keep) == 0 {
			return usagef("--strategies: name at least one strategy")
		}
		sc.Strategies = keep
	}
	return nil
}

// colorable reports whether w is a terminal that wants colour.
func colorable(w io.Writer) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeHeapProfile writes what the heap holds now (and has allocated
// since the start) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return usagef("--memprofile: %v", err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		return fmt.Errorf("--memprofile: %w", err)
	}
	return f.Close()
}

// recording is a record of the whole run written as it goes (a CPU
// profile, an execution trace), asked for by flag with path.
type recording struct {
	flag, path  string
	start       func(io.Writer) error
	stopWriting func()
}

// begin starts the recording into its file; the returned func stops it
// and closes the file.
func (r recording) begin() (stop func(), err error) {
	f, err := os.Create(r.path)
	if err != nil {
		return nil, usagef("%s: %v", r.flag, err)
	}
	if err := r.start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", r.flag, err)
	}
	return func() {
		r.stopWriting()
		f.Close()
	}, nil
}
