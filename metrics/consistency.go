package metrics

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// This file checks a result read from a file against itself: counts
// against histograms, summaries against the histograms they were computed
// from, windows against the totals. A file edited by hand, or written by a
// faulty tool, is refused rather than merged, reported or compared into
// wrong numbers.

// ErrInconsistent marks a result file whose figures disagree with each
// other (see InconsistentError). It also matches ErrNotResult.
var ErrInconsistent = errors.New("inconsistent result file")

// InconsistentError lists the figures of a result file that disagree, each
// naming its field.
type InconsistentError struct {
	File     string
	Problems []string // "strategies[0] (fanout).histograms.latency: …"
}

func (e *InconsistentError) Error() string {
	more := ""
	if len(e.Problems) > 1 {
		more = fmt.Sprintf(" (and %d more: %s)", len(e.Problems)-1, strings.Join(e.Problems[1:], "; "))
	}
	return fmt.Sprintf("%s: %s%s; its figures disagree with each other (edited by hand, or written by a faulty tool?)",
		e.File, e.Problems[0], more)
}

// Is reports whether target is ErrInconsistent or ErrNotResult.
func (e *InconsistentError) Is(target error) bool {
	return target == ErrInconsistent || target == ErrNotResult
}

// maxProblems bounds the problems an InconsistentError lists.
const maxProblems = 10

// Check verifies that r agrees with itself; the error, an
// *InconsistentError naming each field that disagrees, has name as its
// File. Histograms that do not decode are reported by DecodeResult first.
func (r *Result) Check(name string) error {
	var ps []string
	add := func(format string, args ...any) {
		if len(ps) < maxProblems {
			ps = append(ps, fmt.Sprintf(format, args...))
		}
	}
	if bad(r.DurationS) {
		add("duration_s: %v is not a duration", r.DurationS)
	}
	for i := range r.Strategies {
		s := &r.Strategies[i]
		s.check(fmt.Sprintf("strategies[%d] (%s)", i, s.Name), add)
	}
	if len(ps) == 0 {
		return nil
	}
	return &InconsistentError{File: name, Problems: ps}
}

// bad reports whether v is not a figure a result holds: negative or not a
// number.
func bad(v float64) bool { return v < 0 || math.IsNaN(v) || math.IsInf(v, 0) }

// check adds the problems of one strategy, each under at.
func (s *StrategyResult) check(at string, add func(string, ...any)) {
	if sum := s.Outcomes.Total(); sum != s.Operations {
		add("%s.outcomes: ok %d + partial %d + failed %d = %d, but operations is %d",
			at, s.Outcomes.OK, s.Outcomes.Partial, s.Outcomes.Failed, sum, s.Operations)
	}
	if s.NotStarted > s.Dropped {
		add("%s.not_started: %d, more than dropped (%d), which counts them", at, s.NotStarted, s.Dropped)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"duration_s", s.DurationS}, {"throughput", s.Throughput}, {"error_rate", s.ErrorRate}} {
		if bad(f.v) {
			add("%s.%s: %v is not a figure a result holds", at, f.name, f.v)
		}
	}

	hists := map[string]*Histogram{}
	for key, enc := range s.Histograms {
		if h, err := DecodeHistogram(enc); err == nil {
			hists[key] = h
		}
	}
	// The operation histograms: one value per measured operation, and the
	// summaries computed from them.
	for _, h := range []struct {
		key     string
		summary *Summary
	}{{"latency", &s.Latency}, {"service_time", &s.ServiceTime}, {"schedule_lag", &s.ScheduleLag}} {
		hist, ok := hists[h.key]
		switch {
		case !ok && s.Operations > 0:
			add("%s.histograms.%s: missing, but operations is %d", at, h.key, s.Operations)
		case ok && uint64(hist.Count()) != s.Operations:
			add("%s.histograms.%s: holds %d values, but operations is %d", at, h.key, hist.Count(), s.Operations)
		case ok:
			checkSummary(at+"."+h.key, *h.summary, hist, add)
		}
	}
	if h, ok := hists["harness_overhead"]; ok && s.HarnessOverhead != nil {
		checkSummary(at+".harness_overhead", *s.HarnessOverhead, h, add)
	}
	for j, u := range s.Upstreams {
		uat := fmt.Sprintf("%s.upstreams[%d] (%s)", at, j, u.Name)
		var answered uint64
		for _, k := range slices.Sorted(maps.Keys(u.Statuses)) {
			answered += u.Statuses[k]
		}
		if answered != u.Calls {
			add("%s.statuses: add up to %d, but calls is %d", uat, answered, u.Calls)
		}
		hist, ok := hists["upstream:"+u.Name]
		switch {
		case !ok && u.Calls > 0:
			add("%s: histograms.upstream:%s is missing, but calls is %d", uat, u.Name, u.Calls)
		case ok && uint64(hist.Count()) != u.Calls:
			add("%s: histograms.upstream:%s holds %d values, but calls is %d", uat, u.Name, hist.Count(), u.Calls)
		case ok:
			checkSummary(uat+".latency", u.Latency, hist, add)
		}
	}
	if len(s.Windows) > 0 {
		var completed, partial, failed uint64
		for k, w := range s.Windows {
			completed += w.Completed
			partial += w.Partial
			failed += w.Failed
			if w.Partial+w.Failed > w.Completed {
				add("%s.windows[%d]: partial %d + failed %d, more than completed %d", at, k, w.Partial, w.Failed, w.Completed)
			}
			if len(w.Buckets) > 0 {
				var n uint64
				for _, b := range w.Buckets {
					n += b[1]
				}
				if n != w.Completed {
					add("%s.windows[%d].buckets: hold %d operations, but completed is %d", at, k, n, w.Completed)
				}
			}
		}
		switch {
		case completed != s.Operations:
			add("%s.windows: %d operations completed in them, but operations is %d", at, completed, s.Operations)
		case partial != s.Outcomes.Partial || failed != s.Outcomes.Failed:
			add("%s.windows: %d partial and %d failed in them, but the outcomes say %d and %d", at, partial, failed, s.Outcomes.Partial, s.Outcomes.Failed)
		}
	}
	// The figures derived from the counts, last: a wrong count shows there
	// first.
	if s.DurationS > 0 && !near(s.Throughput, float64(s.Operations)/s.DurationS) {
		add("%s.throughput: %v, but operations / duration_s is %d / %v = %v", at, s.Throughput, s.Operations, s.DurationS, float64(s.Operations)/s.DurationS)
	}
	if s.Operations > 0 && !near(s.ErrorRate, float64(s.Operations-min(s.Outcomes.OK, s.Operations))/float64(s.Operations)) {
		add("%s.error_rate: %v, but the outcomes give %v", at, s.ErrorRate, float64(s.Operations-min(s.Outcomes.OK, s.Operations))/float64(s.Operations))
	}
}

// checkSummary adds a problem when a summary is not the one its histogram
// gives.
func checkSummary(at string, got Summary, h *Histogram, add func(string, ...any)) {
	want := h.Summary()
	if got.Count != want.Count {
		add("%s.count: %d, but its histogram holds %d values", at, got.Count, want.Count)
		return
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{{"p50_ms", got.P50, want.P50}, {"p90_ms", got.P90, want.P90}, {"p95_ms", got.P95, want.P95}, {"p99_ms", got.P99, want.P99},
		{"p999_ms", got.P999, want.P999}, {"max_ms", got.Max, want.Max}, {"mean_ms", got.Mean, want.Mean}} {
		if !near(f.got, f.want) {
			add("%s.%s: %v, but its histogram gives %v", at, f.name, f.got, f.want)
			return
		}
	}
}

// near reports whether two figures agree, within the rounding of a
// division done twice.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9+1e-6*math.Max(math.Abs(a), math.Abs(b))
}
