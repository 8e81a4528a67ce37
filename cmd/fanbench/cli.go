package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fanbench/fanbench/internal/suggest"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// Exit codes. 3 is not in the first design (0, 1, 2): a run that could not
// be carried out (an upstream would not start, a result could not be
// written) is neither a failed threshold nor bad input, and CI scripts
// should be able to tell them apart. An interrupted run exits 128 + the
// signal's number (130 for Ctrl-C, 143 for SIGTERM; see signals.go), so
// that a cancelled CI job does not look green.
const (
	exitOK      = 0
	exitFailed  = 1 // a threshold or a baseline comparison failed
	exitInvalid = 2 // bad usage or a bad scenario file
	exitError   = 3 // the run could not be carried out
)

// usageError marks a mistake on the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Main runs the fanbench command line with args (without the program name)
// and returns the process exit code. Data goes to stdout, messages to stderr.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "fanbench: %v\n", err)
	var ue usageError
	var ie interruptedError
	switch {
	case errors.Is(err, errWrite): // after the work: not the usage, whatever the cause
		return exitError
	case errors.As(err, &ie):
		return ie.code()
	case errors.Is(err, errBadPath):
		return exitInvalid
	case errors.As(err, &ue), isCobraUsage(cmd, err):
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitInvalid
	case errors.Is(err, scenarios.ErrInvalid), errors.Is(err, os.ErrNotExist),
		errors.Is(err, metrics.ErrNotResult), errors.Is(err, metrics.ErrMismatch):
		return exitInvalid
	case errors.Is(err, errThresholds), errors.Is(err, errRegressed):
		return exitFailed
	}
	return exitError
}

// errThresholds marks a run whose thresholds failed: exit code 1.
var errThresholds = errors.New("thresholds failed")

// isCobraUsage reports whether cobra itself rejected the command line
// (unknown flag or command, bad flag value, wrong number of arguments).
func isCobraUsage(cmd *cobra.Command, err error) bool {
	return cmd != nil && !cmd.Runnable() || errors.As(err, new(*flagError))
}

// flagError wraps errors from cobra's flag parsing (SetFlagErrorFunc).
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:     "fanbench",
		Short:   "Measure sync vs async fan-out to several APIs, against slow, flaky upstreams",
		Long:    rootLong(),
		Version: version(),
		Example: `  fanbench run --example seed
  fanbench run scenario.yaml --out result.json
  fanbench validate scenario.yaml
  fanbench examples seed > my-scenario.yaml`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("fanbench {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return &flagError{suggestFlag(cmd, err)} })
	root.AddCommand(newRunCmd(stdout, stderr), newValidateCmd(stdout), newExamplesCmd(stdout), newMockCmd(stdout, stderr), newVersionCmd(stdout), newMergeCmd(stdout), newAgentCmd(stderr))
	root.AddCommand(newSchemaCmd(stdout))
	root.AddCommand(newReportCmd(stdout, stderr))
	root.AddCommand(newCompareCmd(stdout, stderr))
	addCompletions(root)
	return root
}

// rootLong is the root command's description, its list of strategies read
// from the registry.
func rootLong() string {
	var b strings.Builder
	b.WriteString(`fanbench measures what it costs, in latency, throughput and errors, to send one
operation's data to two or more APIs, strategy by strategy:

`)
	for _, d := range strategies.Definitions() {
		fmt.Fprintf(&b, "  %-11s %s\n", d.Name, d.Doc)
	}
	b.WriteString(`
It starts mock upstreams on loopback (or targets real URLs), drives every
strategy with the same load and the same upstream behaviour, and reports
HDR-histogram percentiles corrected for coordinated omission, opening on a
verdict: which strategy wins, by how much, at what cost.`)
	return b.String()
}

// unknownFlag finds the flag named in pflag's "unknown flag: --NAME" and
// "unknown shorthand flag: 'x' in -xyz" messages.
var unknownFlag = regexp.MustCompile(`^unknown flag: --([^\s=]+)`)

// suggestFlag adds a did-you-mean to an unknown flag's error: --rat → --rate.
func suggestFlag(cmd *cobra.Command, err error) error {
	m := unknownFlag.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if c := suggest.Closest(m[1], names); c != "" {
		return fmt.Errorf("%w; did you mean --%s?", err, c)
	}
	return err
}
