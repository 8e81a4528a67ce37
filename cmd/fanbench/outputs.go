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

	"github.com/fanbench/fanbench/internal/safefile"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
	"github.com/fanbench/fanbench/reports/htmlreport"
)

// outputFormats are what --format prints on stdout.
var outputFormats = []string{"table", "json", "markdown", "csv"}

// outputs says how to render a result: the format printed on stdout and
// the files to write ("" writes none, "-" prints on stdout instead of the
// format).
type outputs struct {
	format    string // one of outputFormats
	formatSet bool   // --format was given
	out       string // the result file, JSON
	html      string
	markdown  string
	csv       string
	color     bool // colour the table (stdout is a terminal that wants colour)
	wide      bool // every column and the detail tables
	width     int  // the terminal's width; 0: reports.DefaultWidth
}

// check rejects an unknown format, and an output printed on stdout (-)
// beside an explicit --format, before anything runs. Paths are checked by
// checkFiles, with the command's inputs.
func (o outputs) check() error {
	if !slices.Contains(outputFormats, o.format) {
		return usagef("--format %q: allowed: %s", o.format, strings.Join(outputFormats, ", "))
	}
	for _, f := range o.files() {
		if f.path == stdoutPath && o.formatSet {
			return usagef("--%s - and --format %s both print on stdout; keep one", f.flag, o.format)
		}
	}
	return nil
}

// uses lists the files o writes, for checkFiles.
func (o outputs) uses() []fileUse {
	var uses []fileUse
	for _, f := range o.files() {
		uses = append(uses, output("--"+f.flag, f.path))
	}
	return uses
}

// outputFile is one file to write, with the flag that named it.
type outputFile struct {
	flag, path, what string
	render           func(io.Writer, *metrics.Result) error
}

func (o outputs) files() []outputFile {
	all := []outputFile{
		{"out", o.out, "result", writeResultJSON},
		{"html", o.html, "HTML report", htmlreport.Write},
		{"markdown", o.markdown, "Markdown report", reports.Markdown},
		{"csv", o.csv, "CSV", reports.CSV},
	}
	return slices.DeleteFunc(all, func(f outputFile) bool { return f.path == "" })
}

// writeResultJSON writes r as the result file does: indented JSON.
func writeResultJSON(w io.Writer, r *metrics.Result) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding result: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// writeOutputs writes every file o names, atomically, saying so on stderr
// unless quiet, then prints r on stdout in o's format (unless an output is
// printed there instead). A file that cannot be written does not stop the
// others nor the printing: a long run's table is not lost to a mistyped
// path. The errors are returned together, each matching errWrite.
func writeOutputs(stdout, stderr io.Writer, r *metrics.Result, o outputs, quiet bool) error {
	if err := o.check(); err != nil {
		return err
	}
	v := reports.Decide(r) // recorded in the result file and its JSON, decided anew for an old one
	r.Verdict = &v
	var errs []error
	toStdout := false
	for _, f := range o.files() {
		var buf bytes.Buffer
		err := f.render(&buf, r)
		if err == nil {
			err = writeTo(stdout, f.path, buf.Bytes())
		}
		if err != nil {
			errs = append(errs, writeFailure{fmt.Errorf("writing the %s (--%s): %w", f.what, f.flag, err)})
			continue
		}
		if f.path == stdoutPath {
			toStdout = true
			continue
		}
		if !quiet {
			fmt.Fprintf(stderr, "fanbench: %s written to %s\n", f.what, f.path)
		}
	}
	if !toStdout {
		errs = append(errs, printFormat(stdout, r, o))
	}
	if !quiet && (toStdout || !o.summaryShown(stdout, stderr)) {
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
		if tl, ok := errors.AsType[*safefile.TooLargeError](err); ok {
			return nil, badPathf("%v for a result file", tl)
		}
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
