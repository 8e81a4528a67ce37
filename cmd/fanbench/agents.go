package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fanbench/fanbench/cluster"
	"github.com/fanbench/fanbench/internal/safefile"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// distFlags are the flags of a distributed run (fanbench run --agents).
type distFlags struct {
	nats   string
	agents int
	local  bool
	creds  string
	wait   time.Duration
}

func addDistFlags(fl *pflag.FlagSet, d *distFlags) {
	fl.IntVar(&d.agents, "agents", 0, "split the load between N agents (fanbench agent) reached through --nats, or started here with --local; see docs/distributed.md")
	fl.StringVar(&d.nats, "nats", "", "the NATS server (with JetStream) the agents watch, as `URL` (nats://host:4222); ${ENV} references are expanded")
	fl.BoolVar(&d.local, "local", false, "with --agents N: start an embedded NATS server on loopback and N agent processes of this binary")
	fl.StringVar(&d.creds, "creds", "", "a NATS credentials `FILE` for --nats (or set FANBENCH_NATS_CREDS); ${ENV} references are expanded")
	fl.DurationVar(&d.wait, "agents-wait", time.Minute, "how long to wait for the agents to claim their segments")
}

// planFlags are the run flags that change the scenario, which each agent
// applies as the coordinator did.
var planFlags = []string{"rate", "duration", "warmup", "operations", "seed", "strategies"}

// serverLostError is how a coordinator that lost its NATS server ends:
// the run could not be carried out (exit code 3), its partial result
// written.
type serverLostError struct{ err error }

func (e serverLostError) Error() string {
	return e.err.Error() + "; the partial result (what had arrived) was written"
}
func (e serverLostError) Unwrap() error { return e.err }

// runDistributed coordinates a run over agents: fanbench run --agents N
// (--nats URL | --local).
func runDistributed(cmd *cobra.Command, args []string, f *runFlags, stdout, stderr io.Writer) error {
	d := f.dist
	switch {
	case d.agents < 1:
		return usagef("--agents N (1 or more) is needed with --nats or --local")
	case d.local == (d.nats != ""):
		return usagef("--agents needs either --nats URL (agents started elsewhere) or --local (agents started here), not both")
	case d.local && d.creds != "":
		return usagef("--creds applies to --nats; --local uses its own server")
	case d.wait <= 0:
		return usagef("--agents-wait must be above 0")
	}
	for _, name := range []string{"hlog", "otlp", "breakdown", "cpuprofile", "memprofile", "trace"} {
		if cmd.Flags().Changed(name) {
			return usagef("--%s applies to a run in one process; a distributed run (--agents) does not take it yet", name)
		}
	}
	var src []byte
	var file string
	var sc *scenarios.Scenario
	var err error
	if f.example != "" {
		file = "example:" + f.example
		if src, err = scenarios.ExampleSource(f.example); err == nil {
			sc, err = scenarios.Parse(file, src)
		}
	} else {
		file = args[0]
		if sc, err = scenarios.Load(file); err == nil { // the checks and messages of a run in one process
			src, err = safefile.ReadFile(file, scenarios.MaxFileBytes)
		}
	}
	if err != nil {
		return err
	}
	if err := applyOverrides(cmd, sc, f); err != nil {
		return err
	}
	switch {
	case sc.Load.Repeats > 1:
		return usagef("--agents: load.repeats runs each strategy several times, which a distributed run does not; run without --agents")
	case sc.Load.Sweep != nil:
		return usagef("--agents: a rate sweep finds one process's sustained rate; run it without --agents")
	case len(sc.Load.Widths) > 0:
		return usagef("--agents: a width sweep runs in one process; run it without --agents")
	}
	outs := runOutputs(cmd, sc, f, stdout)
	if err := outs.check(); err != nil {
		return err
	}
	if err := checkFiles(runFiles(sc, outs, f)); err != nil {
		return err
	}
	var planArgs []string
	for _, name := range planFlags {
		if fl := cmd.Flags().Lookup(name); fl != nil && fl.Changed {
			planArgs = append(planArgs, "--"+name+"="+flagText(fl))
		}
	}
	url := d.nats
	var local *cluster.Local
	if d.local {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("--local: finding this binary: %w", err)
		}
		var agentLog io.Writer = stderr
		if f.quiet {
			agentLog = io.Discard
		}
		if local, err = cluster.StartLocal(cluster.LocalOptions{Agents: d.agents, Command: []string{exe, "agent"}, Stderr: agentLog}); err != nil {
			return err
		}
		defer local.Stop()
		url = local.URL()
	}
	nc, err := connectNATS(url, d.creds, "fanbench coordinator")
	if err != nil {
		return err
	}
	defer nc.Close()
	var progress io.Writer = stderr
	if f.quiet {
		progress = nil
	}
	res, err := cluster.Coordinate(cmd.Context(), nc, cluster.Options{Scenario: sc, Agents: d.agents, WaitAgents: d.wait, Progress: progress,
		Plan: cluster.Plan{Version: version(), File: file, Source: src, Args: planArgs}})
	if res == nil {
		return err
	}
	outErr := writeOutputs(stdout, stderr, res, outs, f.quiet)
	switch {
	case errors.Is(err, cluster.ErrServerLost):
		return errors.Join(serverLostError{fmt.Errorf("%w (%s)", err, redactURL(url))}, outErr)
	case err != nil:
		return errors.Join(err, outErr)
	case outErr != nil:
		return outErr
	}
	if res.Interrupted {
		return interruptedError{cause: context.Cause(cmd.Context()), also: thresholdsVerdict(res)}
	}
	return thresholdsVerdict(res)
}

// flagText is a flag's value as it was given.
func flagText(fl *pflag.Flag) string {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		var b bytes.Buffer
		for i, s := range sv.GetSlice() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(s)
		}
		return b.String()
	}
	return fl.Value.String()
}

// connectNATS connects to url (its ${ENV} references expanded), with the
// credentials file creds or FANBENCH_NATS_CREDS when set. The connection
// tries to reconnect for a few seconds, then closes: a server gone for
// longer ends the run.
func connectNATS(url, creds, name string) (*nats.Conn, error) {
	url = os.ExpandEnv(url)
	if creds == "" {
		creds = os.Getenv("FANBENCH_NATS_CREDS")
	}
	opts := []nats.Option{nats.Name(name), nats.Timeout(5 * time.Second), nats.MaxReconnects(5), nats.ReconnectWait(time.Second),
		nats.PingInterval(2 * time.Second), nats.MaxPingsOutstanding(2)}
	if creds != "" {
		opts = append(opts, nats.UserCredentials(os.ExpandEnv(creds)))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to the NATS server at %s: %w", redactURL(url), err)
	}
	return nc, nil
}

// redactURL hides a URL's password or token.
func redactURL(u string) string { return strategies.RedactURLs(u) }

func newAgentCmd(stderr io.Writer) *cobra.Command {
	var url, name, creds string
	var once bool
	cmd := &cobra.Command{
		Use:   "agent --nats URL [--name NAME]",
		Short: "Wait for distributed runs on a NATS server and run a share of each",
		Long: `Run as an agent of distributed runs: watch the NATS server (with JetStream) for a
plan from fanbench run --agents N --nats URL, claim one segment of its load, run
it with the ordinary runner, and send what it measured back, once a second and
at each strategy's end. The coordinator merges the agents' results exactly.

An agent refuses a plan from another fanbench version. The scenario's ${ENV}
references are expanded from the agent's own environment; files it reads must
be at the same paths on every agent's machine. Ctrl-C stops the agent (and its
share of a run under way, which the coordinator then counts as lost).`,
		Example: `  fanbench agent --nats nats://nats.example:4222 --name load-1
  FANBENCH_NATS_CREDS=/etc/fanbench/agent.creds fanbench agent --nats 'nats://${NATS_HOST}:4222'`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("agent takes no arguments, got %q (the scenario comes from the coordinator)", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				return usagef("agent needs --nats URL")
			}
			nc, err := connectNATS(url, creds, "fanbench agent "+name)
			if err != nil {
				return err
			}
			defer nc.Close()
			return cluster.RunAgent(cmd.Context(), nc, cluster.AgentOptions{Name: name, Version: version(), Load: loadPlan, Log: stderr, Once: once})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&url, "nats", "", "the NATS server (with JetStream) to watch, as `URL`; ${ENV} references are expanded")
	fl.StringVar(&name, "name", "", "the agent's name in results (default: the host name)")
	fl.StringVar(&creds, "creds", "", "a NATS credentials `FILE` (or set FANBENCH_NATS_CREDS)")
	fl.BoolVar(&once, "once", false, "exit after one run")
	return cmd
}

// loadPlan is the scenario a plan asks for, with its flags applied as the
// coordinator applied them.
func loadPlan(p *cluster.Plan) (*scenarios.Scenario, error) {
	sc, err := scenarios.Parse(p.File, p.Source)
	if err != nil {
		return nil, err
	}
	f := new(runFlags)
	cmd := newRunCmdWith(f, io.Discard, io.Discard)
	if err := cmd.Flags().Parse(p.Args); err != nil {
		return nil, fmt.Errorf("the plan's flags %q: %w", p.Args, err)
	}
	if err := applyOverrides(cmd, sc, f); err != nil {
		return nil, err
	}
	return sc, nil
}
