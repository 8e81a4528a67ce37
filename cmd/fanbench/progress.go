package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/vbauerster/cupwriter"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
	"github.com/fanbench/fanbench/scenarios"
)

// progressView shows a run on stderr as it goes (a runner.Observer):
// progress bars on a terminal, plain lines elsewhere. Printf writes a
// message without garbling the bars; Close ends the display and must be
// called before anything else is written to the terminal. Safe for
// concurrent use.
type progressView interface {
	runner.Observer
	Printf(format string, args ...any)
	Close()
}

// plainEvery is how often the plain view prints a line while a strategy
// runs: CI logs want a sign of life, not a line a second.
const plainEvery = 5 * time.Second

// newProgressView returns bars when stderr is a terminal mpb can draw on,
// plain lines otherwise (mpb prints nothing at all there).
func newProgressView(stderr io.Writer, nameWidth int) progressView {
	if isTerminal(stderr) && os.Getenv("TERM") != "dumb" {
		v := newBarView(mpb.WithOutput(stderr))
		v.nameWidth = nameWidth
		return v
	}
	return newPlainView(stderr, plainEvery)
}

// isTerminal reports whether w is a terminal, by the test mpb itself uses.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && cupwriter.New(f, false).IsTerminal()
}

// plainView prints a line as each strategy starts and ends, and one every
// `every` of its run in between.
type plainView struct {
	mu    sync.Mutex // one line at a time
	w     io.Writer
	every time.Duration
	cur   runner.StrategyStart
	next  time.Duration // elapsed time of the next periodic line
}

func newPlainView(w io.Writer, every time.Duration) *plainView {
	return &plainView{w: w, every: every}
}

func (v *plainView) StrategyStarted(s runner.StrategyStart) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.cur, v.next = s, v.every
	fmt.Fprintf(v.w, "fanbench: running %s (%d/%d): %s\n", s.Name, s.Index+1, s.Total, s.Load)
}

func (v *plainView) Tick(s runner.Snapshot) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s.Elapsed < v.next {
		return
	}
	for v.next <= s.Elapsed {
		v.next += v.every
	}
	fmt.Fprintf(v.w, "fanbench:   %s %s: %s, %d operations completed%s\n",
		v.cur.Name, clockOf(s.Elapsed, v.cur.Duration), windowFigures(s), s.Completed, runLeft(v.cur, s.Elapsed))
}

func (v *plainView) StrategyEnded(e runner.StrategyEnd) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if e.Result == nil {
		return // the error is reported when the command fails
	}
	sr := e.Result
	stopped := ""
	if e.Interrupted {
		stopped = " (interrupted)"
	}
	fmt.Fprintf(v.w, "fanbench:   %s: %d operations, p50 %.1f ms, p99 %.1f ms, errors %.2f%%%s\n",
		sr.Name, sr.Operations, sr.Latency.P50, sr.Latency.P99, sr.ErrorRate*100, stopped)
}

func (v *plainView) Printf(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.w, format, args...)
}

func (v *plainView) Close() {}

// windowFigures describes the last whole second of a snapshot, and says
// when the generator started over 1% of that second's operations late (of
// those recorded so far: an operation is recorded when it ends), so a run
// that falls behind says so while it runs.
func windowFigures(s runner.Snapshot) string {
	w := s.Window
	if w.AtS < 0 {
		return "first second still running"
	}
	f := fmt.Sprintf("%.0f ops/s, p99 %.1f ms, errors %.1f%%", s.Rate(), w.P99, s.ErrorRate()*100)
	if metrics.FellBehind(w.LateStarts, w.Started) {
		f += fmt.Sprintf(", late starts %.0f%%", float64(w.LateStarts)*100/float64(w.Started))
	}
	return f
}

// clockOf shows elapsed of total as m:ss/m:ss, or elapsed alone when the
// total is not known; past the total, the load is over and the strategy
// is draining (operations in flight finishing, a queue's backlog going
// out), for so long.
func clockOf(elapsed, total time.Duration) string {
	switch {
	case total <= 0:
		return minSec(elapsed)
	case elapsed > total:
		return "draining " + minSec(elapsed-total)
	}
	return minSec(elapsed) + "/" + minSec(total)
}

// runLeft estimates what is left of the whole run, from the strategy
// running now, elapsed into it, and the strategies (and rounds) after it,
// each as long as its load: ", about m:ss left"; "" when the length of a
// strategy is not known (only a count of operations ends it). Drains and
// grace periods are not counted, so it is a floor.
func runLeft(s runner.StrategyStart, elapsed time.Duration) string {
	if s.Duration <= 0 || s.Total <= 0 {
		return ""
	}
	left := time.Duration(s.Total-s.Index-1)*s.Duration + max(s.Duration-elapsed, 0)
	if left <= 0 {
		return ""
	}
	return ", about " + minSec(left+time.Second-1) + " left in the run"
}

func minSec(d time.Duration) string {
	s := int64(max(d, 0) / time.Second) // elapsed: whole seconds gone
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// barView draws one mpb bar per strategy. The bar advances by time (or by
// operations, when only a count ends the load); its text shows elapsed
// and total time, then the last whole second's operations per second,
// p99 and error share, and at the end the strategy's overall figures.
type barView struct {
	p *mpb.Progress

	mu     sync.Mutex // guards the fields below and the end of the container
	bar    *mpb.Bar   // the running strategy's bar; nil between strategies
	line   *barLine   // what bar shows
	cur    runner.StrategyStart
	total  int64 // the bar's total: milliseconds, operations, or 0 (unknown)
	closed bool
	// nameWidth is the width of the widest bar name, "title (i/n)".
	nameWidth int
}

// barLine holds what one bar's text shows; its decorator reads it from
// mpb's goroutine.
type barLine struct{ state atomic.Pointer[barState] }

// barState is one immutable view of a strategy's run.
type barState struct {
	began time.Time
	snap  runner.Snapshot
	// ended is the strategy's final text, and elapsed its final elapsed
	// time; ended is empty while it runs.
	ended   string
	elapsed time.Duration
}

func newBarView(opts ...mpb.ContainerOption) *barView {
	return &barView{p: mpb.New(opts...)}
}

func (v *barView) StrategyStarted(s runner.StrategyStart) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return
	}
	v.endBar(true)
	v.cur, v.total = s, 0
	switch {
	case s.Duration > 0:
		v.total = s.Duration.Milliseconds()
	case s.Operations > 0:
		v.total = int64(s.Operations)
	}
	line := &barLine{}
	line.state.Store(&barState{began: time.Now(), snap: runner.Snapshot{Window: metrics.Window{AtS: -1}}})
	text := func(decor.Statistics) string { return barText(s, line.state.Load()) }
	v.line = line
	v.bar = v.p.AddBar(v.total,
		// Every bar's name column is as wide as the longest, so the bars
		// line up and do not shift from one strategy to the next.
		mpb.PrependDecorators(decor.Name(fmt.Sprintf("%s (%d/%d)", s.Name, s.Index+1, s.Total), decor.WC{W: v.nameWidth, C: decor.DindentRight | decor.DextraSpace})),
		mpb.AppendDecorators(decor.Any(text, decor.WC{C: decor.DextraSpace})),
	)
}

func (v *barView) Tick(s runner.Snapshot) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.bar == nil {
		return
	}
	st := *v.line.state.Load()
	st.snap = s
	v.line.state.Store(&st)
	switch {
	case v.total > 0 && v.cur.Duration > 0:
		v.bar.SetCurrent(min(s.Elapsed.Milliseconds(), v.total-1)) // full only when the strategy ends
	case v.total > 0:
		v.bar.SetCurrent(min(int64(s.Completed), v.total-1))
	}
}

func (v *barView) StrategyEnded(e runner.StrategyEnd) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.bar == nil {
		return
	}
	st := *v.line.state.Load()
	st.elapsed = time.Since(st.began)
	if sr := e.Result; sr != nil {
		st.ended = fmt.Sprintf("%d ops, %.0f ops/s, p99 %.1f ms, errors %.2f%%", sr.Operations, sr.Throughput, sr.Latency.P99, sr.ErrorRate*100)
		if e.Interrupted {
			st.ended += ", interrupted"
		}
	} else {
		st.ended = "failed"
	}
	v.line.state.Store(&st)
	v.endBar(e.Result == nil || e.Interrupted)
}

// endBar completes the running bar, or aborts it (keeping it on screen);
// v.mu must be held.
func (v *barView) endBar(abort bool) {
	if v.bar == nil {
		return
	}
	if abort {
		v.bar.Abort(false)
	} else {
		v.bar.SetTotal(-1, true) // full: the total becomes the current value
	}
	v.bar = nil
}

func (v *barView) Printf(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return
	}
	fmt.Fprintf(v.p, format, args...) // printed above the bars at the next refresh
}

// Close aborts a bar still running and waits for mpb to draw the last
// frame and stop its goroutines.
func (v *barView) Close() {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return
	}
	v.closed = true
	v.endBar(true)
	v.mu.Unlock()
	v.p.Wait()
}

// barText is a bar's right-hand text.
func barText(s runner.StrategyStart, st *barState) string {
	if st.ended != "" {
		return clockOf(st.elapsed, 0) + "  " + st.ended
	}
	elapsed := time.Since(st.began)
	return clockOf(elapsed, s.Duration) + "  " + windowFigures(st.snap) + runLeft(s, elapsed)
}

// barNameWidth is the width of the longest name a bar of sc's run shows:
// "title, round r/R (i/n)".
func barNameWidth(sc *scenarios.Scenario) int {
	rounds := max(sc.Load.Repeats, 1)
	total := rounds * len(sc.Strategies)
	w := 0
	for _, s := range sc.Strategies {
		name := s.Title()
		if rounds > 1 {
			name += fmt.Sprintf(", round %d/%d", rounds, rounds)
		}
		w = max(w, utf8.RuneCountInString(fmt.Sprintf("%s (%d/%d)", name, total, total)))
	}
	return w
}

// runWithProgress runs sc with a progress view on stderr, none when quiet,
// and closes the view before returning, so what is printed next does not
// mix with the bars. The first Ctrl-C (ctx ending) is acknowledged through
// the view.
func runWithProgress(ctx context.Context, sc *scenarios.Scenario, o runner.Options, stderr io.Writer, quiet bool) (*metrics.Result, error) {
	if quiet {
		return runner.Run(ctx, sc, o)
	}
	view := newProgressView(stderr, barNameWidth(sc))
	o.Observer = view
	said := make(chan struct{})
	stopSaying := context.AfterFunc(ctx, func() {
		defer close(said)
		view.Printf("fanbench: stopping: operations in flight may finish within the grace period, then the result is written; a second Ctrl-C (or signal) quits at once\n")
	})
	res, err := runner.Run(ctx, sc, o)
	if !stopSaying() {
		<-said // the message is being printed: let it finish before the view ends
	}
	view.Close()
	return res, err
}
