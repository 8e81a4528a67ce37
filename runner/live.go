package runner

import (
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// Exporter receives a running strategy's figures once a second, and once
// more as it ends, for a live output: an OpenTelemetry exporter, an
// HdrHistogram interval log (Options.Exporters). The runner calls Export one
// call at a time, never concurrently, from a goroutine of its own beside the
// load; it should return quickly (network sends belong in a goroutine of the
// exporter's own).
type Exporter interface {
	Export(LiveSnapshot)
}

// LiveSnapshot is what a strategy has measured so far, read while it runs.
type LiveSnapshot struct {
	// Scenario is the scenario's name; Strategy the strategy's title (its
	// label, or its name), the same in every round of load.repeats and
	// every step of a sweep, each of which starts its counts anew.
	Scenario, Strategy string
	// Started is when the strategy's load began; At when the snapshot was
	// read (wall clock).
	Started, At time.Time
	// Final marks the strategy's last snapshot, read once every operation
	// had finished: its counts equal the result's histograms and counts.
	Final bool
	// Counts is cumulative from Started (warm-up left out, as in the
	// result).
	Counts metrics.LiveCounts
	// InFlight is how many operations were running when the snapshot was
	// read, warm-up included.
	InFlight int
	// Backlog is the depth of the strategy's own queue (pooled: calls
	// queued or in service; queued: messages not yet acknowledged), for a
	// strategy that has one (HasBacklog).
	Backlog    int
	HasBacklog bool
	// Upstreams describes the upstreams, in the order of Counts.Upstreams.
	Upstreams []LiveUpstream
}

// LiveUpstream describes an upstream of a live snapshot.
type LiveUpstream struct {
	Name string
	// URL is a real upstream's base URL; "" for a mock (whose loopback
	// port changes with every strategy).
	URL string
}

// liveExport feeds Options.Exporters once a second, on whole seconds of
// the strategy's run, from a goroutine of its own: the workers only add
// to their recorders' live counts.
type liveExport struct {
	exporters []Exporter
	base      LiveSnapshot // the fields that do not change
	counts    *metrics.Live
	inFlight  *atomic.Int64
	gauged    strategies.Gauged
	loop      *periodic
}

// newLiveExport returns nil when there is no exporter: then the recorders
// keep no live counts and the workers count nothing in flight.
func newLiveExport(o Options, sc *scenarios.Scenario, title string) *liveExport {
	if len(o.Exporters) == 0 {
		return nil
	}
	l := &liveExport{exporters: o.Exporters, counts: metrics.NewLive(), inFlight: new(atomic.Int64),
		base: LiveSnapshot{Scenario: sc.Name, Strategy: title}}
	for _, up := range sc.Upstreams {
		lu := LiveUpstream{Name: up.Name}
		if up.Mock == nil {
			lu.URL = sc.Redact(up.URL)
		}
		l.base.Upstreams = append(l.base.Upstreams, lu)
	}
	return l
}

// live returns the counts the layout's recorders feed; nil-safe.
func (l *liveExport) live() *metrics.Live {
	if l == nil {
		return nil
	}
	return l.counts
}

// inFlightCounter returns the counter the workers keep; nil-safe.
func (l *liveExport) inFlightCounter() *atomic.Int64 {
	if l == nil {
		return nil
	}
	return l.inFlight
}

// start begins the exports, the strategy's load having begun at began;
// nil-safe.
func (l *liveExport) start(began time.Time, gauged strategies.Gauged) {
	if l == nil {
		return
	}
	l.base.Started, l.gauged = began, gauged
	k := time.Duration(0)
	wait := func() time.Duration {
		k++
		next := began.Add(k * time.Second)
		if late := time.Since(next); late > time.Second { // exports took long: skip the seconds missed
			k += late / time.Second
			next = began.Add(k * time.Second)
		}
		return time.Until(next)
	}
	l.loop = startPeriodic(wait, func(now time.Time) { l.export(now, false) })
}

func (l *liveExport) export(now time.Time, final bool) {
	s := l.base
	s.At, s.Final = now, final
	s.Counts = l.counts.Read()
	if !final {
		s.InFlight = int(l.inFlight.Load())
	}
	if l.gauged != nil {
		s.Backlog, s.HasBacklog = l.gauged.Depth(), true
	}
	for _, e := range l.exporters {
		e.Export(s)
	}
}

// stop ends the exports: the last snapshot, marked final, when every
// operation has been recorded (final), none when the strategy failed.
// nil-safe; safe to call twice (only the first exports).
func (l *liveExport) stop(final bool) {
	if l == nil || l.loop == nil {
		return
	}
	l.loop.stop()
	l.loop = nil
	if final {
		l.export(time.Now(), true)
	}
}
