package metrics

import (
	"fmt"
	"math/bits"
	"sync"
	"time"
)

// Per-second windows.
//
// A window's latencies go into a fixed log-bucket array, not an HDR
// histogram: an HDR at 2 significant figures over 1 µs–60 s is about 20 KiB,
// and a worker keeps windowSlots windows, so thousands of workers would hold
// hundreds of megabytes. The array has 8 buckets per power of two (values
// below 16 µs exact), 192 uint32 counts, 768 bytes: a window's p50 and p99
// are within 1/16 (6.25%) of the truth, its max exact, while the strategy's
// overall percentiles still come from the full HDR histograms.
const (
	windowSubBuckets = 8
	// windowBuckets covers up to 60 s (26 bits): 8 per octave from 16 µs.
	windowBuckets = 192
	// windowSlots is how many seconds a worker holds before handing the
	// oldest to the shared Windows: an operation that started more than
	// that many seconds before it ended is counted there directly.
	windowSlots = 8
)

// windowBucket returns the bucket of a latency of us microseconds.
func windowBucket(us int64) int {
	if us < 2*windowSubBuckets {
		return int(max(us, 0))
	}
	us = min(us, highestMicros)
	e := bits.Len64(uint64(us)) - 4 // keep the top 4 bits: 8…15
	return e*windowSubBuckets + int(us>>e)
}

// windowBucketValue returns the middle of bucket i, in microseconds.
func windowBucketValue(i int) int64 {
	if i < 2*windowSubBuckets {
		return int64(i)
	}
	e := i/windowSubBuckets - 1
	m := int64(i%windowSubBuckets + windowSubBuckets)
	lo, hi := m<<e, (m+1)<<e
	return (lo + hi - 1) / 2
}

// window is one second as a recorder counts it.
type window struct {
	sec                int64 // seconds since the strategy's start; -1 when unused
	started, completed uint32
	partial, failed    uint32
	late               uint32 // of started: over LateStart late, by the generator
	minMicros          int64  // valid when completed > 0
	maxMicros          int64
	buckets            [windowBuckets]uint32
	// failures counts calls that failed, by kind: the Layout.Failures
	// indexes, then HTTP 4xx and 5xx answers.
	failures []uint32
}

func (w *window) reset(sec int64) {
	failures := w.failures
	clear(failures)
	*w = window{sec: sec, failures: failures}
}

func (w *window) empty() bool {
	return w.started == 0 && w.completed == 0 && !anyNonZero(w.failures)
}

func anyNonZero(s []uint32) bool {
	for _, v := range s {
		if v != 0 {
			return true
		}
	}
	return false
}

// add adds o's counts into w.
func (w *window) add(o *window) {
	if o.completed > 0 && (w.completed == 0 || o.minMicros < w.minMicros) {
		w.minMicros = o.minMicros
	}
	w.started += o.started
	w.late += o.late
	w.completed += o.completed
	w.partial += o.partial
	w.failed += o.failed
	w.maxMicros = max(w.maxMicros, o.maxMicros)
	for i, n := range o.buckets {
		w.buckets[i] += n
	}
	for i, n := range o.failures {
		w.failures[i] += n
	}
}

// Windows is a strategy's per-second series, shared by all its recorders
// (Layout.Windows). Recorders hand it a second at a time, when they move
// past it, so its lock is taken about once per worker and second, never
// per sample. Safe for concurrent use.
type Windows struct {
	mu       sync.Mutex
	failures int
	secs     []window
}

// NewWindows returns an empty series for a layout with failureKinds
// Layout.Failures names.
func NewWindows(failureKinds int) *Windows {
	return &Windows{failures: failureKinds + 2}
}

// at returns second sec, growing the series; w.mu must be held.
func (ws *Windows) at(sec int64) *window {
	for int64(len(ws.secs)) <= sec {
		ws.secs = append(ws.secs, window{sec: int64(len(ws.secs)), failures: make([]uint32, ws.failures)})
	}
	return &ws.secs[sec]
}

func (ws *Windows) add(w *window) {
	if w.sec < 0 || w.empty() {
		return
	}
	ws.mu.Lock()
	ws.at(w.sec).add(w)
	ws.mu.Unlock()
}

// windowShard is a recorder's few current seconds.
type windowShard struct {
	shared *Windows
	slots  [windowSlots]window
	// callSec is the second the calls being recorded belong to: the
	// completion second of the operation last recorded; -1 when unknown
	// (calls delivered in the background are not windowed).
	callSec int64
	// lastEnd is the completion second of the operation last recorded; -1
	// before the first. See handOver.
	lastEnd int64
}

func newWindowShard(ws *Windows) *windowShard {
	s := &windowShard{shared: ws, callSec: -1, lastEnd: -1}
	for i := range s.slots {
		s.slots[i] = window{sec: -1, failures: make([]uint32, ws.failures)}
	}
	return s
}

// slot returns the window of second sec, handing the second it replaces to
// the shared series; nil when sec is older than every slot holds (the
// caller then counts it in the shared series directly).
func (s *windowShard) slot(sec int64) *window {
	w := &s.slots[sec%windowSlots]
	switch {
	case w.sec == sec:
		return w
	case w.sec > sec:
		return nil
	}
	s.shared.add(w)
	w.reset(sec)
	return w
}

// handOver hands second sec to the shared series now rather than when its
// slot is reused windowSlots seconds later, so the series can be read during
// the run (Windows.Live). A worker's operations complete in time order, so
// it completes nothing more in sec; an operation that started in sec and
// completes later reopens the slot (the series adds, so a second may be
// handed over twice). Costs one lock per worker and second, not per sample.
func (s *windowShard) handOver(sec int64) {
	if sec < 0 {
		return
	}
	if w := &s.slots[sec%windowSlots]; w.sec == sec {
		s.shared.add(w)
		w.reset(-1)
	}
}

// flush hands every slot to the shared series.
func (s *windowShard) flush() {
	for i := range s.slots {
		s.shared.add(&s.slots[i])
		s.slots[i].reset(-1)
	}
}

func secondOf(d time.Duration) int64 { return int64(max(d, 0) / time.Second) }

// RecordWindow counts one operation in the per-second windows: started in
// the second of its intended start offset at (and late there when genLag,
// the generator's part of its schedule lag as RecordOperation takes it, is
// over LateStart), completed in the second of at + latency, with its
// outcome and latency; the calls recorded next (RecordCall) count their
// failures in that completion second. A no-op unless the layout has
// Windows. Allocates nothing.
func (r *Recorder) RecordWindow(o Outcome, at, latency, genLag time.Duration) {
	s := r.windows
	if s == nil {
		return
	}
	startSec, endSec := secondOf(at), secondOf(at+latency)
	if endSec > s.lastEnd {
		s.handOver(s.lastEnd)
		s.lastEnd = endSec
	}
	s.callSec = endSec
	if w := s.slot(endSec); w != nil {
		us := min(max(latency.Microseconds(), 0), highestMicros)
		if w.completed == 0 || us < w.minMicros {
			w.minMicros = us
		}
		w.completed++
		switch o {
		case OutcomePartial:
			w.partial++
		case OutcomeFailed:
			w.failed++
		}
		w.buckets[windowBucket(us)]++
		w.maxMicros = max(w.maxMicros, us)
	}
	late := uint32(0)
	if genLag > LateStart {
		late = 1
	}
	if w := s.slot(startSec); w != nil {
		w.started++
		w.late += late
		return
	}
	// Started more than windowSlots seconds before the latest second this
	// worker saw: rare (only very slow operations), counted under the lock.
	s.shared.mu.Lock()
	w := s.shared.at(startSec)
	w.started++
	w.late += late
	s.shared.mu.Unlock()
}

// windowCallFailure counts a failed call (kind: a Layout.Failures index,
// or len(Failures) for 4xx, +1 for 5xx) in the current operation's second.
func (r *Recorder) windowCallFailure(kind int) {
	s := r.windows
	if s == nil || s.callSec < 0 {
		return
	}
	if w := s.slot(s.callSec); w != nil && kind >= 0 && kind < len(w.failures) {
		w.failures[kind]++
	}
}

// FlushWindows hands the seconds the recorder still holds to the layout's
// Windows. Call it once the recorder's worker has stopped, before reading
// the Windows.
func (r *Recorder) FlushWindows() {
	if r.windows != nil {
		r.windows.flush()
	}
}

// Window is one second of a strategy's run, in the result file.
type Window struct {
	// AtS is the window's start, in seconds since the strategy's start.
	AtS int64 `json:"at_s"`
	// Started counts operations whose intended start fell in the window;
	// Completed those that finished in it, Partial and Failed the
	// completed ones with that outcome.
	Started uint64 `json:"started"`
	// LateStarts counts the operations started in the window that the
	// generator started over 1 ms late (as the strategy's late_starts):
	// where a run fell behind; absent when none did.
	LateStarts uint64 `json:"late_starts,omitempty"`
	Completed  uint64 `json:"completed"`
	Partial    uint64 `json:"partial"`
	Failed     uint64 `json:"failed"`
	// CallFailures counts calls that failed in the window (by the second
	// their operation completed) by kind: a failure kind ("timeout", …),
	// "http_4xx" or "http_5xx"; absent when none failed.
	CallFailures map[string]uint64 `json:"call_failures,omitempty"`
	// P50, P99, Min and Max are of the latency of the operations
	// completed in the window; p50 and p99 within 6.25% (log buckets) and
	// within [min, max], min and max exact.
	Min float64 `json:"min_ms"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
	// Buckets holds the latency counts as [bucket, count] pairs, so windows
	// of two results can be merged exactly.
	Buckets [][2]uint64 `json:"buckets,omitempty"`
}

// Result returns the series as result windows, one per second from 0 to
// the last one anything happened in. failureNames are Layout.Failures.
func (ws *Windows) Result(failureNames []string) []Window {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	out := make([]Window, 0, len(ws.secs))
	for i := range ws.secs {
		out = append(out, ws.secs[i].result(failureNames))
	}
	return out
}

// Live returns second sec as the recorders have handed it over so far, and
// the operations completed, and those not ok (partial or failed), in every
// second handed over so far; for progress displays. Safe during a run. A
// recorder hands a second over when it completes an operation in a later
// second, so a past second is complete once every worker has completed
// something since: at once at a steady rate, while an idle worker holds its
// last second until its next operation or FlushWindows.
func (ws *Windows) Live(sec int64, failureNames []string) (w Window, completed, notOK uint64) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	w = Window{AtS: sec}
	if sec >= 0 && sec < int64(len(ws.secs)) {
		w = ws.secs[sec].result(failureNames)
	}
	for i := range ws.secs {
		completed += uint64(ws.secs[i].completed)
		notOK += uint64(ws.secs[i].partial) + uint64(ws.secs[i].failed)
	}
	return w, completed, notOK
}

func failureName(names []string, i int) string {
	switch {
	case i < len(names):
		return names[i]
	case i == len(names):
		return "http_4xx"
	}
	return "http_5xx"
}

func (w *window) result(failureNames []string) Window {
	out := Window{AtS: w.sec, Started: uint64(w.started), LateStarts: uint64(w.late), Completed: uint64(w.completed),
		Partial: uint64(w.partial), Failed: uint64(w.failed), Max: ms(time.Duration(w.maxMicros) * time.Microsecond)}
	if w.completed > 0 {
		out.Min = ms(time.Duration(w.minMicros) * time.Microsecond)
	}
	for i, n := range w.failures {
		if n > 0 {
			if out.CallFailures == nil {
				out.CallFailures = map[string]uint64{}
			}
			out.CallFailures[failureName(failureNames, i)] += uint64(n)
		}
	}
	for i, n := range w.buckets {
		if n > 0 {
			out.Buckets = append(out.Buckets, [2]uint64{uint64(i), uint64(n)})
		}
	}
	out.fillQuantiles()
	return out
}

// fillQuantiles sets P50 and P99 from Buckets, within [Min, Max].
func (w *Window) fillQuantiles() {
	var total uint64
	for _, b := range w.Buckets {
		total += b[1]
	}
	w.P50, w.P99 = 0, 0
	if total == 0 {
		return
	}
	quantile := func(q float64) float64 {
		rank := uint64(q*float64(total) + 0.5)
		rank = max(rank, 1)
		var seen uint64
		for _, b := range w.Buckets {
			seen += b[1]
			if seen >= rank {
				v := ms(time.Duration(windowBucketValue(int(b[0]))) * time.Microsecond)
				return min(max(v, w.Min), w.Max)
			}
		}
		return w.Max
	}
	w.P50, w.P99 = quantile(0.50), quantile(0.99)
}

// MergeWindows sums two series second by second (AtS), as two generators
// that ran the same scenario side by side saw them.
func MergeWindows(a, b []Window) []Window {
	var n int64
	for _, w := range append(a[:len(a):len(a)], b...) {
		n = max(n, w.AtS+1)
	}
	out := make([]Window, n)
	for i := range out {
		out[i].AtS = int64(i)
	}
	for _, src := range [][]Window{a, b} {
		for _, w := range src {
			if w.AtS < 0 {
				continue
			}
			m := &out[w.AtS]
			if w.Completed > 0 && (m.Completed == 0 || w.Min < m.Min) {
				m.Min = w.Min
			}
			m.Started += w.Started
			m.LateStarts += w.LateStarts
			m.Completed += w.Completed
			m.Partial += w.Partial
			m.Failed += w.Failed
			m.Max = max(m.Max, w.Max)
			for k, v := range w.CallFailures {
				if m.CallFailures == nil {
					m.CallFailures = map[string]uint64{}
				}
				m.CallFailures[k] += v
			}
			m.Buckets = mergeBuckets(m.Buckets, w.Buckets)
		}
	}
	for i := range out {
		out[i].fillQuantiles()
	}
	return out
}

func mergeBuckets(a, b [][2]uint64) [][2]uint64 {
	var counts [windowBuckets]uint64
	for _, s := range [][][2]uint64{a, b} {
		for _, p := range s {
			if p[0] < windowBuckets {
				counts[p[0]] += p[1]
			}
		}
	}
	var out [][2]uint64
	for i, n := range counts {
		if n > 0 {
			out = append(out, [2]uint64{uint64(i), n})
		}
	}
	return out
}

// checkWindows says what is wrong with windows read from a file: merging
// relies on seconds counted from 0 and on buckets of this geometry.
func checkWindows(ws []Window) error {
	for i, w := range ws {
		if w.AtS < 0 || w.AtS > maxWindowSeconds {
			return fmt.Errorf("window %d: at_s %d is out of range [0, %d]", i, w.AtS, maxWindowSeconds)
		}
		for _, b := range w.Buckets {
			if b[0] >= windowBuckets {
				return fmt.Errorf("window %d: bucket %d is out of range [0, %d)", i, b[0], windowBuckets)
			}
		}
	}
	return nil
}

// maxWindowSeconds bounds at_s in a result file (a week): merging makes a
// window for every second up to the last.
const maxWindowSeconds = 7 * 24 * 3600

// WindowOf makes the window of second at from the latency histogram of
// the operations completed in it and their outcomes: what a coordinator
// knows of a second of an agent it lost (its started and late counts are
// unknown: Started is the completed count). Values within one HDR bucket
// fall in the window bucket of the HDR bucket's middle.
func WindowOf(at int64, latency *Histogram, o Outcomes) Window {
	w := Window{AtS: at, Completed: o.Total(), Partial: o.Partial, Failed: o.Failed}
	w.Started = w.Completed
	if latency == nil || latency.Count() == 0 {
		return w
	}
	var buckets [windowBuckets]uint64
	for _, bar := range latency.counts().Distribution() {
		if bar.Count > 0 {
			buckets[windowBucket((bar.From+bar.To)/2)] += uint64(bar.Count)
		}
	}
	for i, n := range buckets {
		if n > 0 {
			w.Buckets = append(w.Buckets, [2]uint64{uint64(i), n})
		}
	}
	w.Min = ms(latency.Quantile(0))
	w.Max = ms(latency.Quantile(100))
	w.fillQuantiles()
	return w
}
