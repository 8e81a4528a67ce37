package cluster

import (
	"maps"
	"slices"
	"strconv"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
)

// Snapshot is one second of one agent's strategy: what it measured since
// its previous snapshot, histograms encoded as in a result file. Its K
// counts the strategy's snapshots from 0, so a lost one shows as a gap and
// the message id (run, segment, strategy, K) lets the stream drop a copy.
type Snapshot struct {
	Segment  int  `json:"segment"`
	Strategy int  `json:"strategy"`
	K        int  `json:"k"`
	Final    bool `json:"final,omitempty"`
	// AtS is the seconds since the strategy's load started.
	AtS       float64            `json:"at_s"`
	Outcomes  metrics.Outcomes   `json:"outcomes"`
	InFlight  int                `json:"in_flight"`
	Latency   string             `json:"latency"`
	Service   string             `json:"service_time"`
	Lag       string             `json:"schedule_lag"`
	Upstreams []upstreamSnapshot `json:"upstreams,omitempty"`
}

type upstreamSnapshot struct {
	Name     string            `json:"name"`
	Attempts uint64            `json:"attempts"`
	Statuses map[int]uint64    `json:"statuses,omitempty"`
	Failures map[string]uint64 `json:"failures,omitempty"`
	Latency  string            `json:"latency"`
}

// snapshotter turns the runner's cumulative live snapshots into interval
// ones. Only the runner's export goroutine calls it.
type snapshotter struct {
	segment  int
	strategy func(title string) int
	publish  func(Snapshot)

	title string
	k     int
	prev  metrics.LiveCounts
}

// Export implements runner.Exporter.
func (s *snapshotter) Export(ls runner.LiveSnapshot) {
	if ls.Strategy != s.title {
		s.title, s.k, s.prev = ls.Strategy, 0, metrics.LiveCounts{}
	}
	c := ls.Counts
	snap := Snapshot{Segment: s.segment, Strategy: s.strategy(ls.Strategy), K: s.k, Final: ls.Final,
		AtS: ls.At.Sub(ls.Started).Seconds(), InFlight: ls.InFlight,
		Outcomes: metrics.Outcomes{OK: c.Outcomes.OK - s.prev.Outcomes.OK, Partial: c.Outcomes.Partial - s.prev.Outcomes.Partial,
			Failed: c.Outcomes.Failed - s.prev.Outcomes.Failed},
		Latency: encodeSince(c.Latency, s.prev.Latency), Service: encodeSince(c.ServiceTime, s.prev.ServiceTime),
		Lag: encodeSince(c.ScheduleLag, s.prev.ScheduleLag)}
	for i, u := range c.Upstreams {
		var p metrics.LiveUpstream
		if i < len(s.prev.Upstreams) {
			p = s.prev.Upstreams[i]
		}
		us := upstreamSnapshot{Name: u.Name, Attempts: u.Attempts - p.Attempts, Latency: encodeSince(u.Latency, p.Latency)}
		for k, n := range u.Statuses {
			if d := n - p.Statuses[k]; d > 0 {
				if us.Statuses == nil {
					us.Statuses = map[int]uint64{}
				}
				us.Statuses[k] = d
			}
		}
		for k, n := range u.Failures {
			if d := n - p.Failures[k]; d > 0 {
				if us.Failures == nil {
					us.Failures = map[string]uint64{}
				}
				us.Failures[k] = d
			}
		}
		snap.Upstreams = append(snap.Upstreams, us)
	}
	s.prev = c
	s.k++
	s.publish(snap)
}

// encodeSince encodes the values of c not in prev; "" when there are none.
func encodeSince(c, prev *metrics.Counts) string {
	if c == nil {
		return ""
	}
	d := c.Since(prev)
	if d.Total() == 0 {
		return ""
	}
	enc, err := d.Histogram().Encode()
	if err != nil {
		return ""
	}
	return enc
}

// tally is the sum of one agent's snapshots of one strategy, kept by the
// coordinator: the live progress, and what is known of a strategy whose
// agent was lost before it sent its result.
type tally struct {
	seen      map[int]bool // by K: a copy is counted once
	atS       float64
	inFlight  int
	outcomes  metrics.Outcomes
	hists     map[string]*metrics.Histogram
	upstreams []string
	attempts  map[string]uint64
	statuses  map[string]map[int]uint64
	failures  map[string]map[string]uint64
	seconds   map[int]second // by K: snapshot K is second K of the strategy
}

// second is one snapshot's operations: their latencies and outcomes.
type second struct {
	latency  *metrics.Histogram // nil: none
	outcomes metrics.Outcomes
}

func newTally() *tally {
	return &tally{seen: map[int]bool{}, hists: map[string]*metrics.Histogram{}, attempts: map[string]uint64{},
		statuses: map[string]map[int]uint64{}, failures: map[string]map[string]uint64{}, seconds: map[int]second{}}
}

// maxSnapshots bounds K: a run of a strategy of up to 30 days. A corrupt
// message past it is dropped rather than sizing the windows by it.
const maxSnapshots = 30 * 24 * 3600

// add counts s, unless a snapshot with its K was counted already.
func (t *tally) add(s Snapshot) {
	if t.seen[s.K] || s.K < 0 || s.K > maxSnapshots {
		return
	}
	t.seen[s.K] = true
	t.atS, t.inFlight = max(t.atS, s.AtS), s.InFlight
	t.outcomes = t.outcomes.Add(s.Outcomes)
	var lat *metrics.Histogram
	if s.Latency != "" {
		lat, _ = metrics.DecodeHistogram(s.Latency)
	}
	t.seconds[s.K] = second{latency: lat, outcomes: s.Outcomes}
	t.merge("latency", s.Latency)
	t.merge("service_time", s.Service)
	t.merge("schedule_lag", s.Lag)
	for _, u := range s.Upstreams {
		if !slices.Contains(t.upstreams, u.Name) {
			t.upstreams = append(t.upstreams, u.Name)
			t.statuses[u.Name], t.failures[u.Name] = map[int]uint64{}, map[string]uint64{}
		}
		t.attempts[u.Name] += u.Attempts
		for k, n := range u.Statuses {
			t.statuses[u.Name][k] += n
		}
		for k, n := range u.Failures {
			t.failures[u.Name][k] += n
		}
		t.merge("upstream:"+u.Name, u.Latency)
	}
}

func (t *tally) merge(key, enc string) {
	if enc == "" {
		return
	}
	h, err := metrics.DecodeHistogram(enc)
	if err != nil {
		return // written by Encode: cannot happen but for a corrupt message, which counts as none
	}
	if prev, ok := t.hists[key]; ok {
		prev.Merge(h)
	} else {
		t.hists[key] = h
	}
}

func (t *tally) operations() uint64 { return t.outcomes.Total() }

// result is what the snapshots say of the strategy: its operations,
// outcomes and the histograms the live counts keep (latency, service time,
// schedule lag, each upstream's latency); the rest is unknown, and zero.
//
// A snapshot is read while the agent records (metrics.Live.Read), so an
// operation being recorded at that moment, at most one per recorder, may
// be counted in some of its figures and not yet in others; the final
// snapshot, read once the recorders stopped, makes them agree. A result
// from the snapshots alone (an agent lost before its final one) is made to
// agree with itself: its operations are those the three operation
// histograms all hold, an outcome that came before its latency waits for
// it in the next second, and what the last snapshot caught midway is left
// out (the largest of its values, as which are the operations' is not
// known): the caller counts those operations with the interrupted.
func (t *tally) result(name, strategy string) (metrics.StrategyResult, error) {
	sr := metrics.StrategyResult{Name: name, Strategy: strategy, DurationS: t.atS, Histograms: map[string]string{}}
	ops := int64(-1)
	for _, key := range []string{"latency", "service_time", "schedule_lag"} {
		var n int64
		if h, ok := t.hists[key]; ok {
			n = h.Count()
		}
		if ops < 0 || n < ops {
			ops = n
		}
	}
	hists := map[string]*metrics.Histogram{}
	for _, key := range []string{"latency", "service_time", "schedule_lag"} {
		if h, ok := t.hists[key]; ok && ops > 0 {
			hists[key] = h.Lowest(ops)
		}
	}
	var carry metrics.Outcomes
	left := ops
	for _, k := range slices.Sorted(maps.Keys(t.seconds)) {
		sec := t.seconds[k]
		lat := sec.latency
		if lat != nil && lat.Count() > left {
			lat = lat.Lowest(left)
		}
		var n uint64
		if lat != nil {
			n = uint64(lat.Count())
		}
		left -= int64(n)
		var o metrics.Outcomes
		o, carry = settle(sec.outcomes.Add(carry), n)
		sr.Outcomes = sr.Outcomes.Add(o)
		sr.Windows = append(sr.Windows, metrics.WindowOf(int64(k), lat, o))
	}
	sr.Operations = sr.Outcomes.Total()
	sr.SetRates()
	for _, name := range t.upstreams {
		u := metrics.UpstreamResult{Name: name, Attempts: t.attempts[name], Statuses: map[string]uint64{}}
		for k, n := range t.statuses[name] {
			u.Statuses[strconv.Itoa(k)] = n
		}
		for k, n := range t.failures[name] {
			u.Statuses[k] += n
		}
		var answered uint64
		for _, n := range u.Statuses {
			answered += n
		}
		var calls int64
		h, ok := t.hists["upstream:"+name]
		if ok {
			calls = min(h.Count(), int64(answered))
		}
		if calls == 0 {
			continue // no call both answered and timed: nothing known
		}
		trimAnswers(u.Statuses, answered-uint64(calls))
		h = h.Lowest(calls)
		hists["upstream:"+name] = h
		u.Calls, u.Latency = uint64(calls), h.Summary()
		sr.Upstreams = append(sr.Upstreams, u)
	}
	for _, key := range slices.Sorted(maps.Keys(hists)) {
		enc, err := hists[key].Encode()
		if err != nil {
			return sr, err
		}
		sr.Histograms[key] = enc
	}
	sum := func(key string) metrics.Summary {
		if h, ok := hists[key]; ok {
			return h.Summary()
		}
		return metrics.Summary{}
	}
	sr.Latency, sr.ServiceTime, sr.ScheduleLag = sum("latency"), sum("service_time"), sum("schedule_lag")
	return sr, nil
}

// trimAnswers takes excess answers out of statuses, the last keys in
// order first (failure kinds sort after status codes), dropping keys that
// reach zero.
func trimAnswers(statuses map[string]uint64, excess uint64) {
	keys := slices.Sorted(maps.Keys(statuses))
	for i := len(keys) - 1; i >= 0 && excess > 0; i-- {
		d := min(statuses[keys[i]], excess)
		statuses[keys[i]] -= d
		excess -= d
		if statuses[keys[i]] == 0 {
			delete(statuses, keys[i])
		}
	}
}

// settle splits o into the outcomes of the n operations whose latency
// arrived and the rest, which wait for the next second (taken from the
// failed, then the partial, then the ok ones: which of them is late is not
// known). A second with fewer outcomes than latencies follows a snapshot
// that was lost: the outcomes it lacks are counted ok.
func settle(o metrics.Outcomes, n uint64) (now, later metrics.Outcomes) {
	if t := o.Total(); t < n {
		o.OK += n - t
		return o, metrics.Outcomes{}
	}
	excess := o.Total() - n
	for _, c := range []struct{ from, to *uint64 }{{&o.Failed, &later.Failed}, {&o.Partial, &later.Partial}, {&o.OK, &later.OK}} {
		d := min(*c.from, excess)
		*c.from -= d
		*c.to += d
		excess -= d
	}
	return o, later
}
