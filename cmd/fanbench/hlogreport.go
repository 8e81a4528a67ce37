package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fanbench/fanbench/hlog"
)

// hlogArgs reports whether report was given interval logs (.hlog) rather
// than result files; a mix is a usage error.
func hlogArgs(paths []string) (bool, error) {
	n := 0
	for _, p := range paths {
		if strings.HasSuffix(p, hlog.Ext) {
			n++
		}
	}
	if n > 0 && n < len(paths) {
		return false, usagef("give result files or interval logs (%s), not both", hlog.Ext)
	}
	return n > 0, nil
}

// runHlogReport prints, for each interval log, one line per tag: its
// intervals merged into percentiles.
func runHlogReport(paths []string, f reportFlags, stdout io.Writer) error {
	if f.format != "table" || f.html != "" || f.markdown != "" || f.csv != "" {
		return usagef("an interval log (%s) prints as a table only: leave out --format, --html, --markdown and --csv", hlog.Ext)
	}
	for i, path := range paths {
		file, err := os.Open(path)
		if err != nil {
			return usagef("interval log %s: %v", path, err)
		}
		ivs, err := hlog.Read(file)
		file.Close()
		if err != nil {
			return usagef("interval log %s: %v", path, err)
		}
		if len(paths) > 1 {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "── %s ──\n", path)
		}
		if len(ivs) == 0 {
			fmt.Fprintln(stdout, "no interval histograms")
			continue
		}
		if err := hlog.WriteTable(stdout, hlog.Summarize(ivs)); err != nil {
			return err
		}
	}
	return nil
}
