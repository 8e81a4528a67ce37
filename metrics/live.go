package metrics

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Live counts.
//
// A Recorder is written by one worker at a time and read only once its
// worker has stopped; a live exporter (OpenTelemetry, an HdrHistogram
// interval log) needs the counts while the run goes on. With Layout.Live
// set, each recorder also counts what it records into a shard of atomic
// counters in the HDR histograms' own geometry, which Live.Read sums once a
// second from another goroutine. No lock and no allocation per sample: an
// atomic add to the recorder's own shard (recorders are few, two per CPU, so
// their cache lines are not fought over). Without Layout.Live nothing of this
// runs: a nil check per sample.

// The counts array of an HDR histogram of 1 µs – 60 s at 3 significant
// figures (hdrhistogram-go's layout): 2048 sub-buckets, of which the upper
// half repeats per power of two, 16 buckets.
const (
	hdrHalfCountMagnitude = 10
	hdrHalfCount          = 1 << hdrHalfCountMagnitude
	hdrSubBucketMask      = 2*hdrHalfCount - 1
	hdrBuckets            = 16
	hdrCountsLen          = (hdrBuckets + 1) * hdrHalfCount
)

// hdrIndex returns the index in the counts array of a value of us
// microseconds, within [lowestMicros, highestMicros].
func hdrIndex(us int64) int {
	b := 64 - bits.LeadingZeros64(uint64(us)|hdrSubBucketMask) - (hdrHalfCountMagnitude + 1)
	sub := int(us >> b)
	return (b+1)<<hdrHalfCountMagnitude + sub - hdrHalfCount
}

// hdrBin returns the lowest value of counts index i and the width of its
// range of equivalent values, in microseconds.
func hdrBin(i int) (lo, width int64) {
	b := i>>hdrHalfCountMagnitude - 1
	sub := int64(i&(hdrHalfCount-1)) + hdrHalfCount
	if b < 0 {
		sub -= hdrHalfCount
		b = 0
	}
	return sub << b, 1 << b
}

// liveMicros clamps d as Histogram.Record does.
func liveMicros(d time.Duration) int64 {
	return min(max(d.Microseconds(), lowestMicros), highestMicros)
}

type liveArray [hdrCountsLen]atomic.Int64

// liveHist is a histogram's live counts; its array is allocated on the
// first value, so the shards of an unused histogram cost a pointer.
type liveHist struct{ a atomic.Pointer[liveArray] }

// record counts d. Only the shard's one writer calls it.
func (h *liveHist) record(d time.Duration) {
	a := h.a.Load()
	if a == nil {
		a = new(liveArray)
		h.a.Store(a)
	}
	a[hdrIndex(liveMicros(d))].Add(1)
}

// addTo adds the counts into c.
func (h *liveHist) addTo(c *Counts) {
	a := h.a.Load()
	if a == nil {
		return
	}
	for i := range a {
		if n := a[i].Load(); n != 0 {
			c.counts[i] += n
			c.total += n
		}
	}
}

// liveShard is one recorder's live counts.
type liveShard struct {
	latency, service, lag liveHist
	outcomes              [numOutcomes]atomic.Uint64
	ups                   []liveUpstream
}

type liveUpstream struct {
	latency  liveHist // one value per call: its count is the calls'
	attempts atomic.Uint64
	statuses [maxStatus]atomic.Uint64
	failures []atomic.Uint64
}

func (s *liveShard) operation(o Outcome, latency, service, lag time.Duration) {
	if o < numOutcomes {
		s.outcomes[o].Add(1)
	}
	s.latency.record(latency)
	s.service.record(service)
	s.lag.record(lag)
}

func (s *liveShard) call(c *CallSample) {
	if c.Upstream < 0 || c.Upstream >= len(s.ups) {
		return
	}
	u := &s.ups[c.Upstream]
	u.attempts.Add(uint64(max(c.Attempts, 0)))
	u.latency.record(c.Latency)
	switch {
	case c.Status > 0 && c.Status < maxStatus:
		u.statuses[c.Status].Add(1)
	case c.Failure >= 0 && c.Failure < len(u.failures):
		u.failures[c.Failure].Add(1)
	}
}

// Live gathers the live counts of a strategy's recorders (Layout.Live).
// Safe for concurrent use.
type Live struct {
	mu        sync.Mutex
	upstreams []string
	failures  []string
	shards    []*liveShard
}

// NewLive returns an empty set of live counts; set it as Layout.Live.
func NewLive() *Live { return &Live{} }

// shard returns a new shard for a recorder of layout l.
func (l *Live) shard(layout Layout) *liveShard {
	s := &liveShard{ups: make([]liveUpstream, len(layout.Upstreams))}
	for i := range s.ups {
		s.ups[i].failures = make([]atomic.Uint64, len(layout.Failures))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.upstreams == nil {
		l.upstreams, l.failures = layout.Upstreams, layout.Failures
	}
	l.shards = append(l.shards, s)
	return s
}

// LiveCounts is what a strategy's recorders have counted since it started:
// cumulative, and exact once every recorder has stopped.
type LiveCounts struct {
	// Latency, ServiceTime and ScheduleLag are the operations' histograms,
	// as Recorder.Latency, Service and Lag hold them.
	Latency, ServiceTime, ScheduleLag *Counts
	Outcomes                          Outcomes
	Upstreams                         []LiveUpstream
}

// LiveUpstream is the live counts of the calls to one upstream.
type LiveUpstream struct {
	Name     string
	Latency  *Counts
	Calls    uint64
	Attempts uint64
	// Statuses counts calls by final HTTP status; Failures the calls that
	// got no answer, by kind (Layout.Failures).
	Statuses map[int]uint64
	Failures map[string]uint64
}

// Read sums every recorder's live counts. Safe during the run: a
// recorder's sample may be seen in some counts and not yet in others, but
// nothing is seen twice and nothing is lost; once the recorders have
// stopped, the counts equal their merged histograms exactly.
func (l *Live) Read() LiveCounts {
	l.mu.Lock()
	shards := l.shards
	names, failures := l.upstreams, l.failures
	l.mu.Unlock()
	lc := LiveCounts{Latency: newCounts(), ServiceTime: newCounts(), ScheduleLag: newCounts()}
	for _, s := range shards {
		s.latency.addTo(lc.Latency)
		s.service.addTo(lc.ServiceTime)
		s.lag.addTo(lc.ScheduleLag)
		lc.Outcomes.OK += s.outcomes[OutcomeOK].Load()
		lc.Outcomes.Partial += s.outcomes[OutcomePartial].Load()
		lc.Outcomes.Failed += s.outcomes[OutcomeFailed].Load()
	}
	for i, name := range names {
		u := LiveUpstream{Name: name, Latency: newCounts(), Statuses: map[int]uint64{}, Failures: map[string]uint64{}}
		for _, s := range shards {
			su := &s.ups[i]
			su.latency.addTo(u.Latency)
			u.Attempts += su.attempts.Load()
			for st := range su.statuses {
				if n := su.statuses[st].Load(); n > 0 {
					u.Statuses[st] += n
				}
			}
			for f := range su.failures {
				if n := su.failures[f].Load(); n > 0 && f < len(failures) {
					u.Failures[failures[f]] += n
				}
			}
		}
		u.Calls = uint64(u.Latency.Total())
		lc.Upstreams = append(lc.Upstreams, u)
	}
	return lc
}

// Counts is a histogram of this package's geometry (1 µs – 60 s, 3
// significant figures, in microseconds) as plain counts: what Live reads,
// for an exporter to turn into its own format. Not safe for concurrent use.
type Counts struct {
	counts []int64
	total  int64
}

func newCounts() *Counts { return &Counts{counts: make([]int64, hdrCountsLen)} }

// Total is the number of values counted.
func (c *Counts) Total() int64 { return c.total }

// Since returns the values counted in c and not in prev, an earlier read
// of the same counts: the interval between the two reads. A nil prev is
// empty.
func (c *Counts) Since(prev *Counts) *Counts {
	out := newCounts()
	copy(out.counts, c.counts)
	out.total = c.total
	if prev != nil {
		for i, n := range prev.counts {
			out.counts[i] -= n
		}
		out.total -= prev.total
	}
	return out
}

// Bins calls f for every range of equivalent values that holds counts, in
// increasing order: the range [lo, hi] in microseconds and its count.
func (c *Counts) Bins(f func(lo, hi, n int64)) {
	for i, n := range c.counts {
		if n != 0 {
			lo, w := hdrBin(i)
			f(lo, lo+w-1, n)
		}
	}
}

// Histogram returns the counts as a Histogram, exactly.
func (c *Counts) Histogram() *Histogram {
	if c.total == 0 {
		return NewHistogram()
	}
	return &Histogram{h: c.HDR()}
}

// HDR returns the counts as an hdrhistogram-go histogram, exactly: for a
// writer of that library's formats, such as its interval log.
func (c *Counts) HDR() *hdrhistogram.Histogram {
	return hdrhistogram.Import(&hdrhistogram.Snapshot{LowestTrackableValue: lowestMicros,
		HighestTrackableValue: highestMicros, SignificantFigures: sigFigs, Counts: c.counts})
}
