package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fanbench/fanbench/internal/safefile"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports/compare"
	"github.com/fanbench/fanbench/reports/htmlreport"
)

// errRegressed marks a comparison that found a regression: exit code 1.
var errRegressed = errors.New("regression")

type compareFlags struct {
	baseline, current []string
	format            string
	tolerance         string
	html              string
	out               string
}

func newCompareCmd(stdout, stderr io.Writer) *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare BASELINE CURRENT | --baseline FILE... --current FILE...",
		Short: "Compare results against a baseline: better, worse, or no significant change",
		Long: `Compare result files of a scenario against baseline results of the same
scenario, strategy by strategy, on p50, p90, p99, p99.9, throughput, error
rate, partial rate, harness overhead p99 and CPU per 1,000 operations.

A change counts only when it is significant AND beyond its tolerance. With
several repeats a side (load.repeats in the scenario, or several files per
side), significance is a Mann-Whitney U test at α = 0.05 over the per-repeat
figures, as benchstat decides; it needs at least 4 repeats a side to be able to
say anything, and says so when there are fewer. With one run a side, it tests
the per-second windows of the two runs instead (p50, p99, throughput, error and
partial rates). Results with different seeds compare, with a note: the paired
draws are lost and the noise is higher.

Tolerances are relative (percent), or percentage points (pp) for the rates;
--tolerance overrides some of them. Defaults:
` + wrapWords(strings.ReplaceAll(compare.DefaultTolerances().String(), ",", " "), "  ", 78) + `

A strategy that answers its caller before its work is done (queued) is judged
by its delivery: its latency metrics are the delivery latency, its error and
partial rates those of the operations delivered in full.

Results of different scenarios are refused; the seed, description,
thresholds, load.duration and load.repeats may differ, and strategies are
matched by name (one on a side only is noted, not compared). Values taken
from the environment are compared by their keyed fingerprints: set
FANBENCH_FINGERPRINT_KEY to the same secret wherever results to compare
are made; under other keys they cannot be compared, and a note says so.

Exit codes: 0 nothing regressed, 1 a regression (named on stderr) or a strategy
a side measured no operation of, 2 bad input: an unreadable or inconsistent
file, results of different scenarios, a bad tolerance, an output over an input.`,
		Example: `  fanbench compare baselines/seed.json result.json
  fanbench compare --baseline a1.json --baseline a2.json --current b1.json --current b2.json
  fanbench compare baselines/seed.json result.json --format markdown --out comparison.md
  fanbench compare baselines/seed.json result.json --tolerance p99=10%,error_rate=0.5pp,throughput=5%
  fanbench compare baselines/seed.json result.json --format junit --out junit.xml --html comparison.html`,
		Args: func(_ *cobra.Command, args []string) error {
			flags := len(f.baseline) > 0 || len(f.current) > 0
			switch {
			case flags && len(args) > 0:
				return usagef("give BASELINE CURRENT, or --baseline and --current, not both")
			case flags && (len(f.baseline) == 0 || len(f.current) == 0):
				return usagef("compare needs at least one --baseline FILE and one --current FILE")
			case !flags && len(args) != 2:
				return usagef("compare takes two result files, BASELINE CURRENT (or --baseline and --current), got %d", len(args))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 2 {
				f.baseline, f.current = args[:1], args[1:]
			}
			return runCompare(&f, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.baseline, "baseline", nil, "a baseline result `FILE`; repeat the flag for several (the side's repeats)")
	fl.StringArrayVar(&f.current, "current", nil, "a current result `FILE`; repeat the flag for several")
	fl.StringVar(&f.format, "format", "table", "output format: "+strings.Join(compare.Formats(), ", "))
	fl.StringVar(&f.tolerance, "tolerance", "", "tolerances over the defaults, `LIST` such as p99=10%,error_rate=0.5pp,throughput=5%")
	fl.StringVar(&f.html, "html", "", "also write an HTML page of baseline and current overlaid to `PATH`")
	fl.StringVarP(&f.out, "out", "o", "", "write the comparison to `PATH` (atomically) instead of stdout")
	jsonFiles := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
	}
	cmd.ValidArgsFunction = jsonFiles
	_ = cmd.RegisterFlagCompletionFunc("baseline", jsonFiles)
	_ = cmd.RegisterFlagCompletionFunc("current", jsonFiles)
	return cmd
}

// compareFormats are compare's --format values, for completion.
func compareFormats() []string { return compare.Formats() }

func runCompare(f *compareFlags, stdout, stderr io.Writer) error {
	if !slices.Contains(compare.Formats(), f.format) {
		return usagef("--format %q: allowed: %s", f.format, strings.Join(compare.Formats(), ", "))
	}
	tols, err := compare.ParseTolerances(f.tolerance)
	if err != nil {
		return usagef("--tolerance: %v", err)
	}
	if f.html == stdoutPath && (f.out == "" || f.out == stdoutPath) {
		return usagef("--html - and the comparison both print on stdout; write the comparison to a file with --out")
	}
	var uses []fileUse
	for _, p := range f.baseline {
		uses = append(uses, input("a baseline file", p))
	}
	for _, p := range f.current {
		uses = append(uses, input("a current file", p))
	}
	if err := checkFiles(append(uses, output("--out", f.out), output("--html", f.html))); err != nil {
		return err
	}
	base, err := readResults(f.baseline)
	if err != nil {
		return err
	}
	cur, err := readResults(f.current)
	if err != nil {
		return err
	}
	c, err := compare.Compare(base, cur, compare.Options{Tolerances: tols, BaselineNames: f.baseline, CurrentNames: f.current})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := compare.Render(&buf, c, f.format); err != nil {
		return err
	}
	if f.out != "" && f.out != stdoutPath {
		if err := safefile.WriteFile(f.out, buf.Bytes()); err != nil {
			return writeFailure{fmt.Errorf("writing the comparison (--out): %w", err)}
		}
		fmt.Fprintf(stderr, "fanbench: comparison written to %s\n", f.out)
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	if f.html != "" {
		if err := writeComparisonHTML(stdout, f.html, base, cur, c); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "fanbench: HTML comparison written to %s\n", f.html)
	}
	if f.out != "" || f.format != "table" {
		// The verdict in one line for a person watching the log, when
		// stdout holds none (or holds a machine format).
		fmt.Fprintf(stderr, "fanbench: compare: %s\n", compare.Headline(c))
	}
	if c.Regressed {
		return fmt.Errorf("%w: %s", errRegressed, strings.Join(compare.Regressions(c), ", "))
	}
	return nil
}

// wrapWords breaks s into lines of at most width columns, each indented.
func wrapWords(s, indent string, width int) string {
	var lines []string
	line := indent
	for _, w := range strings.Fields(s) {
		if line != indent && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// writeComparisonHTML writes the HTML comparison page of the two sides,
// each side's files combined into one result first (as repeats, one after
// another), with what the comparison found, atomically.
func writeComparisonHTML(stdout io.Writer, path string, base, cur []*metrics.Result, cmp *compare.Comparison) error {
	b, err := combineSide(base)
	if err != nil {
		return fmt.Errorf("--html: combining the baseline files: %w", err)
	}
	c, err := combineSide(cur)
	if err != nil {
		return fmt.Errorf("--html: combining the current files: %w", err)
	}
	var buf bytes.Buffer
	if err := htmlreport.WriteComparison(&buf, b, c, cmp); err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	if err := writeTo(stdout, path, buf.Bytes()); err != nil {
		return writeFailure{fmt.Errorf("writing the HTML comparison (--html): %w", err)}
	}
	return nil
}

// combineSide makes one result of a side's files: each strategy's runs
// combined as repeats made one after another.
func combineSide(rs []*metrics.Result) (*metrics.Result, error) {
	if len(rs) == 1 {
		return rs[0], nil
	}
	out := *rs[0]
	out.Strategies = nil
	var names []string
	runs := map[string][]metrics.StrategyResult{}
	for _, r := range rs {
		for _, s := range r.Strategies {
			if _, seen := runs[s.Name]; !seen {
				names = append(names, s.Name)
			}
			runs[s.Name] = append(runs[s.Name], s)
		}
	}
	var scenario struct {
		Seed uint64 `json:"seed"`
	}
	_ = json.Unmarshal(rs[0].Scenario, &scenario) // compare.Compare has read it already
	for _, name := range names {
		s, err := metrics.CombineRepeats(runs[name], scenario.Seed)
		if err != nil {
			return nil, fmt.Errorf("strategy %s: %w", name, err)
		}
		out.Strategies = append(out.Strategies, s)
	}
	return &out, nil
}
