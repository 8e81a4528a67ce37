package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// reportFlags are the flags of fanbench report.
type reportFlags struct {
	format, html, markdown, csv string
	noColor, quiet, wide        bool
	formatSet                   bool // --format was given
}

func newReportCmd(stdout, stderr io.Writer) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report RESULT.json... | LOG.hlog...",
		Short: "Render result files again, as a table, JSON, Markdown, CSV or HTML, without running anything",
		Long: `Render result files written by fanbench run --out (or fanbench merge) again,
without running anything: print them on stdout in a format, and write an HTML
report, a Markdown summary or a CSV file beside them.

Several files are printed one after another. They are not combined: to see
two runs of one scenario as one (two generators side by side), merge them
first with fanbench merge. The file flags (--html, --markdown, --csv) and
--format csv take a single result file.

Interval logs (.hlog, written by fanbench run --hlog DIR or any HdrHistogram
tool) print one line per tag instead: the tag's intervals merged into
percentiles, in milliseconds for fanbench's microsecond values.

The exit code is 0 even when the result's thresholds failed: the verdict is in
the output, and fanbench run is the command that fails a CI job. A file that
is missing, not a fanbench result, or inconsistent (its counts disagree with
its histograms) is exit code 2, naming the file and the field.`,
		Example: `  fanbench report result.json
  fanbench report result.json --html report.html --format markdown > comment.md
  fanbench report result.json --format csv > result.csv
  fanbench report before.json after.json
  fanbench report logs/seed.hlog`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("report needs at least one result file")
			}
			if len(args) > 1 && (f.html != "" || f.markdown != "" || f.csv != "") {
				return usagef("--html, --markdown and --csv write one file each: give one result file, not %d (fanbench merge combines results of one scenario)", len(args))
			}
			if len(args) > 1 && f.format == "csv" {
				return usagef("--format csv takes one result file, not %d: its rows do not say which file they came from", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			f.formatSet = cmd.Flags().Changed("format")
			if logs, err := hlogArgs(args); logs || err != nil {
				if err != nil {
					return err
				}
				return runHlogReport(args, f, stdout)
			}
			return runReport(args, f, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "table", "what to print on stdout: table, json, markdown or csv")
	fl.StringVar(&f.html, "html", "", "write a self-contained HTML report to `PATH`, atomically")
	fl.StringVar(&f.markdown, "markdown", "", "write a Markdown summary (for a pull-request comment) to `PATH`, atomically")
	fl.StringVar(&f.csv, "csv", "", "write one CSV row per strategy and per upstream to `PATH`, atomically")
	fl.BoolVar(&f.noColor, "no-color", false, "never colour the table (colour is used only on a terminal, and never when NO_COLOR is set)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "do not say on stderr which files were written")
	fl.BoolVarP(&f.wide, "wide", "v", false, "show every column of the headline table and the detail tables (per upstream, outcomes, particulars, cost)")
	return cmd
}

// runReport reads every file first, so that a bad one stops the command
// before anything is printed, then renders them in turn.
func runReport(paths []string, f reportFlags, stdout, stderr io.Writer) error {
	o := outputs{format: f.format, formatSet: f.formatSet, html: f.html, markdown: f.markdown, csv: f.csv, color: !f.noColor && colorable(stdout),
		wide: f.wide, width: termWidth(stdout)}
	if err := o.check(); err != nil {
		return err
	}
	var uses []fileUse
	for _, p := range paths {
		uses = append(uses, input("the result file", p))
	}
	if err := checkFiles(append(uses, o.uses()...)); err != nil {
		return err
	}
	results, err := readResults(paths)
	if err != nil {
		return err
	}
	for i, r := range results {
		if len(results) > 1 && f.format == "table" {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "── %s ──\n", paths[i]) // the titles may be alike: two runs of one scenario
		}
		if i > 0 && f.format == "markdown" {
			fmt.Fprintln(stdout)
		}
		if err := writeOutputs(stdout, stderr, r, o, f.quiet); err != nil {
			return err
		}
	}
	return nil
}
