package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
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
		Use:   "fanbench",
		Short: "Measure sync vs async fan-out to several APIs, against slow, flaky upstreams",
		Long: `fanbench measures what it costs, in latency, throughput and errors, to send one
operation's data to two or more APIs, strategy by strategy: sequential (one call
after another), fanout (a goroutine per call), pooled (a shared worker pool
behind a bounded queue), queued (acknowledge once enqueued, deliver in the
background) and hedged (a second request for slow calls). It starts mock
upstreams on loopback (or targets real URLs), drives every strategy with the
same load and the same upstream behaviour, and reports HDR-histogram
percentiles corrected for coordinated omission.`,
		Example: `  fanbench run --example seed
  fanbench run scenario.yaml --out result.json
  fanbench validate scenario.yaml
  fanbench examples seed > my-scenario.yaml`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{err} })
	root.AddCommand(newRunCmd(stdout, stderr), newValidateCmd(stdout), newExamplesCmd(stdout), newMockCmd(stdout, stderr), newVersionCmd(stdout), newMergeCmd(stdout))
	root.AddCommand(newReportCmd(stdout, stderr))
	root.AddCommand(newCompareCmd(stdout, stderr))
	addCompletions(root)
	return root
}
