package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
	"github.com/fanbench/fanbench/reports/htmlreport"
)

// outputFormats are what --format prints on stdout.
var outputFormats = []string{"table", "json", "markdown", "csv"}

// outputs says how to render a result: the format printed on stdout and
// the files to write ("" writes none).
type outputs struct {
	format   string // one of outputFormats
	out      string // the result file, JSON
	html     string
	markdown string
	csv      string
	color    bool // colour the table (stdout is a terminal that wants colour)
	wide     bool // every column and the detail tables
	width    int  // the terminal's width; 0: reports.DefaultWidth
}

// check rejects an unknown format and two outputs to one path, before
// anything runs.
func (o outputs) check() error {
	if !slices.Contains(outputFormats, o.format) {
		return usagef("--format %q: allowed: %s", o.format, strings.Join(outputFormats, ", "))
	}
	seen := map[string]string{}
	for _, f := range o.files() {
		if prev, dup := seen[f.path]; dup {
			return usagef("--%s and --%s both write %s", prev, f.flag, f.path)
		}
		seen[f.path] = f.flag
	}
	return nil
}

// outputFile is one file to write, with the flag that named it.
type outputFile struct {
	flag, path, what string
	write            func(path string, r *metrics.Result) error
}

func (o outputs) files() []outputFile {
	all := []outputFile{
		{"out", o.out, "result", metrics.WriteResult},
		{"html", o.html, "HTML report", htmlreport.WriteFile},
		{"markdown", o.markdown, "Markdown report", rendered(reports.Markdown)},
		{"csv", o.csv, "CSV", rendered(reports.CSV)},
	}
	return slices.DeleteFunc(all, func(f outputFile) bool { return f.path == "" })
}

// rendered turns a renderer into a writer of files, atomically: a reader
// never sees half a report, and a failed write leaves the old one.
func rendered(render func(io.Writer, *metrics.Result) error) func(string, *metrics.Result) error {
	return func(path string, r *metrics.Result) error {
		var buf bytes.Buffer
		if err := render(&buf, r); err != nil {
			return err
		}
		return metrics.WriteFileAtomic(path, buf.Bytes())
	}
}

// writeOutputs writes every file o names, saying so on stderr unless
// quiet, then prints r on stdout in o's format. A file that cannot be
// written does not stop the others nor the printing: a long run's table is
// not lost to a mistyped path. The errors are returned together.
func writeOutputs(stdout, stderr io.Writer, r *metrics.Result, o outputs, quiet bool) error {
	if err := o.check(); err != nil {
		return err
	}
	v := reports.Decide(r) // recorded in the result file and its JSON, decided anew for an old one
	r.Verdict = &v
	var errs []error
	for _, f := range o.files() {
		if err := f.write(f.path, r); err != nil {
			errs = append(errs, fmt.Errorf("writing the %s to %s (--%s): %w", f.what, f.path, f.flag, err))
			continue
		}
		if !quiet {
			fmt.Fprintf(stderr, "fanbench: %s written to %s\n", f.what, f.path)
		}
	}
	errs = append(errs, printFormat(stdout, r, o))
	if !quiet && !o.summaryShown(stdout, stderr) {
		errs = append(errs, reports.Summary(stderr, r))
	}
	return errors.Join(errs...)
}

// summaryShown reports whether the reader already sees the verdict, the
// concerns, the thresholds and the warnings: the table shows them, on the
// terminal that stderr shows too. Otherwise (JSON, Markdown or CSV on
// stdout, or stdout sent to a file or a pipe) they go to stderr as well,
// unless --quiet, so a CI log never lacks them.
func (o outputs) summaryShown(stdout, stderr io.Writer) bool {
	return o.format == "table" && isTerminal(stdout) && isTerminal(stderr)
}

// printFormat prints r on w in o's format.
func printFormat(w io.Writer, r *metrics.Result, o outputs) error {
	switch o.format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "markdown":
		return reports.Markdown(w, r)
	case "csv":
		return reports.CSV(w, r)
	}
	return reports.Table(w, r, reports.TableOptions{Color: o.color, Wide: o.wide, Width: o.width})
}

// readResults reads result files, for report and compare. A file that is
// not a result says so (metrics.ErrNotResult); one that cannot be read
// (missing, a folder, no permission) is the user's to fix as well: both
// exit with code 2, naming the file.
func readResults(paths []string) ([]*metrics.Result, error) {
	results := make([]*metrics.Result, len(paths))
	for i, path := range paths {
		r, err := metrics.ReadResult(path)
		if err != nil {
			if !errors.Is(err, metrics.ErrNotResult) {
				var pe *fs.PathError
				if errors.As(err, &pe) {
					err = pe.Err // the path is said once, below
				}
				err = usageError{fmt.Errorf("result file %s: %w", path, err)}
			}
			return nil, err
		}
		results[i] = r
	}
	return results, nil
}
