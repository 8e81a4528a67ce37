package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/fanbench/fanbench/hlog"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/otelexport"
	"github.com/fanbench/fanbench/runner"
	"github.com/fanbench/fanbench/scenarios"
)

// exports are a run's live outputs, fed every second while it runs: the
// HdrHistogram interval log (--hlog) and the OpenTelemetry export (--otlp).
type exports struct {
	hlog *hlog.Writer
	otlp *otelexport.Exporter
}

// otlpShutdown bounds the last export at the end of a run: a collector
// that does not answer must not hold the results up.
const otlpShutdown = 5 * time.Second

// startExports opens the live outputs that the scenario's report block and
// the flags name (a flag replaces its entry); none by default.
func startExports(ctx context.Context, sc *scenarios.Scenario, hlogDir, otlpEndpoint string) (*exports, error) {
	e := &exports{}
	if otlpEndpoint != "" {
		x, err := otelexport.New(ctx, otelexport.Options{Endpoint: otlpEndpoint, Version: version()})
		if err != nil {
			return nil, usagef("--otlp: %v", err)
		}
		e.otlp = x
	}
	if hlogDir != "" {
		if err := os.MkdirAll(hlogDir, 0o755); err != nil {
			return nil, usagef("--hlog: %v", err)
		}
		w, err := hlog.Create(filepath.Join(hlogDir, hlog.FileName(sc.Name)), time.Now(),
			fmt.Sprintf("fanbench %s: scenario %s", version(), sc.Name))
		if err != nil {
			e.finish(nil, nil, true)
			return nil, usagef("--hlog: %v", err)
		}
		e.hlog = w
	}
	return e, nil
}

// list returns the exporters for runner.Options.
func (e *exports) list() []runner.Exporter {
	var out []runner.Exporter
	if e.hlog != nil {
		out = append(out, e.hlog)
	}
	if e.otlp != nil {
		out = append(out, e.otlp)
	}
	return out
}

// finish closes the outputs, saying on stderr what was written (unless
// quiet); a failed export becomes a warning of the run when res is not nil.
// The error is an output that could not be written.
func (e *exports) finish(res *metrics.Result, stderr io.Writer, quiet bool) error {
	var errs []error
	if e.otlp != nil {
		ctx, cancel := context.WithTimeout(context.Background(), otlpShutdown)
		_ = e.otlp.Shutdown(ctx) // a failure of the last export is counted with the others
		cancel()
		if w := e.otlp.Warning(); w != "" && res != nil {
			res.Warnings = append(res.Warnings, w)
		}
		if sent, failed := e.otlp.Exports(); !quiet && res != nil && sent > failed {
			fmt.Fprintf(stderr, "fanbench: OpenTelemetry metrics exported (%d exports)\n", sent-failed)
		}
	}
	if e.hlog != nil {
		if err := e.hlog.Close(); err != nil {
			errs = append(errs, fmt.Errorf("writing the interval log (--hlog): %w", err))
		} else if !quiet && res != nil {
			fmt.Fprintf(stderr, "fanbench: interval log written to %s (%d interval histograms)\n", e.hlog.Path(), e.hlog.Intervals())
		}
	}
	return errors.Join(errs...)
}

// liveOutput is the value of a live output's flag when the user set it,
// else the scenario's report entry.
func liveOutput(cmd *cobra.Command, flag, value string, r *scenarios.Report) string {
	if cmd.Flags().Changed(flag) || r == nil {
		return value
	}
	switch flag {
	case "hlog":
		return r.HLog
	case "otlp":
		return r.OTLP
	}
	return value
}
