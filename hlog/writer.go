package hlog

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
)

// Ext is the file extension of an interval log.
const Ext = ".hlog"

// Writer writes a run's interval log: a runner.Exporter that, every second
// of every strategy, writes one interval histogram per tag (see Tags). The
// file is written to a temporary name beside its path and renamed over it
// by Close, so a reader never sees half a log. Safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	path string
	tmp  *os.File
	buf  *bufio.Writer
	lw   *hdrhistogram.HistogramLogWriter
	err  error // the first write error; the rest are not attempted
	// cur is the strategy being logged and what was logged of it so far.
	cur struct {
		strategy string
		started  time.Time
		last     time.Time
		prev     map[string]*metrics.Counts
	}
	intervals int
}

// Create starts an interval log at path, beginning at start: its base time,
// so interval timestamps count seconds from the start of the run. comment
// is written in the header (fanbench's version and the scenario, say).
func Create(path string, start time.Time, comment string) (*Writer, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	w := &Writer{path: path, tmp: tmp, buf: bufio.NewWriter(tmp)}
	w.lw = hdrhistogram.NewHistogramLogWriter(w.buf)
	// The log's header says its base time in whole seconds: so is it, or a
	// reader would shift every interval by the milliseconds left out.
	ms := start.Truncate(time.Second).UnixMilli()
	w.lw.SetBaseTime(ms)
	for _, line := range []func() error{
		w.lw.OutputLogFormatVersion,
		func() error { return w.lw.OutputComment("[" + oneLine(comment) + "]") },
		func() error {
			return w.lw.OutputComment("[values in microseconds; Interval_Max in seconds; tags STRATEGY.latency, STRATEGY.service_time, STRATEGY.schedule_lag, STRATEGY.upstream.NAME]")
		},
		func() error { return w.lw.OutputStartTime(ms) },
		func() error { return w.lw.OutputBaseTime(ms) },
		w.lw.OutputLegend,
	} {
		if err := line(); err != nil {
			w.abort()
			return nil, err
		}
	}
	return w, nil
}

// FileName is the name of a run's interval log in a folder: the scenario's
// name, made safe for a file name, with Ext.
func FileName(scenario string) string {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|' {
			return '_'
		}
		return r
	}, strings.TrimSpace(scenario))
	if name == "" || name == "." || name == ".." {
		name = "fanbench"
	}
	return name + Ext
}

// Tag returns the tag of a strategy's metric: strategy and metric joined by
// a dot, each made safe for the log format, whose lines cannot hold a space,
// a comma or a line break in a tag (hdrhistogram-go's writer refuses them).
func Tag(strategy, metric string) string {
	return Sanitize(strategy) + "." + metric
}

// Sanitize replaces every character of s outside letters, digits and
// "._:-" with '_'.
func Sanitize(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == ':', r == '-':
			return r
		}
		return '_'
	}, s)
}

// Export writes the interval since the strategy's previous snapshot, one
// histogram per tag that has counted anything (runner.Exporter).
func (w *Writer) Export(s runner.LiveSnapshot) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || w.tmp == nil {
		return
	}
	if w.cur.strategy != s.Strategy || !w.cur.started.Equal(s.Started) { // a new strategy, round or sweep step
		w.cur.strategy, w.cur.started, w.cur.last = s.Strategy, s.Started, s.Started
		w.cur.prev = map[string]*metrics.Counts{}
	}
	type tagged struct {
		metric string
		counts *metrics.Counts
	}
	all := []tagged{{"latency", s.Counts.Latency}, {"service_time", s.Counts.ServiceTime}, {"schedule_lag", s.Counts.ScheduleLag}}
	for _, u := range s.Counts.Upstreams {
		all = append(all, tagged{"upstream." + Sanitize(u.Name), u.Latency})
	}
	for _, t := range all {
		if t.counts == nil || t.counts.Total() == 0 {
			continue
		}
		tag := Tag(s.Strategy, t.metric)
		h := t.counts.Since(w.cur.prev[tag]).HDR()
		w.cur.prev[tag] = t.counts
		h.SetTag(tag)
		h.SetStartTimeMs(w.cur.last.UnixMilli())
		h.SetEndTimeMs(s.At.UnixMilli())
		if err := w.lw.OutputIntervalHistogram(h); err != nil {
			w.err = fmt.Errorf("writing %s: %w", w.path, err)
			return
		}
		w.intervals++
	}
	w.cur.last = s.At
}

// Close finishes the log and puts it at its path; it returns the first
// error met while writing, in which case no log is left behind.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.tmp == nil {
		return w.err
	}
	if w.err == nil {
		w.err = w.buf.Flush()
	}
	if w.err == nil {
		w.err = w.tmp.Sync()
	}
	if w.err == nil {
		w.err = w.tmp.Close()
		if w.err == nil {
			w.err = os.Chmod(w.tmp.Name(), 0o644)
		}
		if w.err == nil {
			w.err = os.Rename(w.tmp.Name(), w.path)
		}
		if w.err != nil {
			_ = os.Remove(w.tmp.Name())
		}
		w.tmp = nil
		return w.err
	}
	w.abort()
	return w.err
}

// Intervals is how many interval histograms were written so far.
func (w *Writer) Intervals() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.intervals
}

// Path is where Close puts the log.
func (w *Writer) Path() string { return w.path }

func (w *Writer) abort() {
	_ = w.tmp.Close()
	_ = os.Remove(w.tmp.Name())
	w.tmp = nil
}

// oneLine keeps a comment on its line.
func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
