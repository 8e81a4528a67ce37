package metrics

import "time"

// Phases is where the time of one call's request went (CallSample.Phases),
// as the HTTP client traced it: the setup of a new connection (DNS,
// Connect, TLS: zero when not done or on a reused connection), the time
// from the request written to the first byte of the answer (TTFB) and the
// body's transfer.
type Phases struct {
	// Traced: the request was traced; nothing is recorded otherwise.
	Traced bool
	// Reused: the request went on a kept-alive connection.
	Reused                        bool
	DNS, Connect, TLS, TTFB, Body time.Duration
}

// phaseRecorder holds an upstream's breakdown; its histograms cost a few
// bytes until their first value (see Histogram).
type phaseRecorder struct {
	DNS, Connect, TLS, TTFB, Body *Histogram
	// NewConns and ReusedConns count the traced calls whose request opened
	// a connection, and those whose request reused one.
	NewConns, ReusedConns uint64
}

func newPhaseRecorder() phaseRecorder {
	return phaseRecorder{DNS: NewHistogram(), Connect: NewHistogram(), TLS: NewHistogram(), TTFB: NewHistogram(), Body: NewHistogram()}
}

// record adds one call's phases: each phase that took place (above zero).
func (p *phaseRecorder) record(ph *Phases) {
	if !ph.Traced {
		return
	}
	if ph.Reused {
		p.ReusedConns++
	} else {
		p.NewConns++
	}
	for _, x := range [...]struct {
		h *Histogram
		d time.Duration
	}{{p.DNS, ph.DNS}, {p.Connect, ph.Connect}, {p.TLS, ph.TLS}, {p.TTFB, ph.TTFB}, {p.Body, ph.Body}} {
		if x.d > 0 {
			x.h.Record(x.d)
		}
	}
}

func (p *phaseRecorder) merge(o *phaseRecorder) {
	p.DNS.Merge(o.DNS)
	p.Connect.Merge(o.Connect)
	p.TLS.Merge(o.TLS)
	p.TTFB.Merge(o.TTFB)
	p.Body.Merge(o.Body)
	p.NewConns += o.NewConns
	p.ReusedConns += o.ReusedConns
}

// Breakdown is where the time of an upstream's calls went, traced request
// by request (fanbench run --breakdown): for each call, the request whose
// answer it took. Each phase is summarised over the calls in which it took
// place; a phase that never did is absent.
type Breakdown struct {
	// NewConnections counts the traced calls whose request opened a
	// connection; ReusedConnections those whose request went on a
	// kept-alive one.
	NewConnections    uint64 `json:"new_connections"`
	ReusedConnections uint64 `json:"reused_connections"`
	// DNS is the name lookup of a new connection (absent for an IP
	// address).
	DNS *Summary `json:"dns,omitempty"`
	// Connect is the TCP connect of a new connection.
	Connect *Summary `json:"connect,omitempty"`
	// TLS is the TLS handshake of a new connection (absent for plain HTTP).
	TLS *Summary `json:"tls,omitempty"`
	// TTFB runs from the request written to the first byte of the answer:
	// the upstream's time plus a round trip.
	TTFB *Summary `json:"ttfb,omitempty"`
	// Body runs from the first byte of the answer to its end.
	Body *Summary `json:"body,omitempty"`
}

// breakdownPhases names the phases' histograms in a result
// ("dns:NAME", …) with the Breakdown field each fills.
var breakdownPhases = []struct {
	key   string
	field func(*Breakdown) **Summary
	hist  func(*phaseRecorder) *Histogram
}{
	{"dns", func(b *Breakdown) **Summary { return &b.DNS }, func(p *phaseRecorder) *Histogram { return p.DNS }},
	{"connect", func(b *Breakdown) **Summary { return &b.Connect }, func(p *phaseRecorder) *Histogram { return p.Connect }},
	{"tls", func(b *Breakdown) **Summary { return &b.TLS }, func(p *phaseRecorder) *Histogram { return p.TLS }},
	{"ttfb", func(b *Breakdown) **Summary { return &b.TTFB }, func(p *phaseRecorder) *Histogram { return p.TTFB }},
	{"body", func(b *Breakdown) **Summary { return &b.Body }, func(p *phaseRecorder) *Histogram { return p.Body }},
}

// summarize returns the upstream's breakdown, and adds its histograms to
// hists; nil when no call was traced.
func (p *phaseRecorder) summarize(upstream string, hists map[string]*Histogram) *Breakdown {
	if p.NewConns+p.ReusedConns == 0 {
		return nil
	}
	b := &Breakdown{NewConnections: p.NewConns, ReusedConnections: p.ReusedConns}
	for _, ph := range breakdownPhases {
		if h := ph.hist(p); h.Count() > 0 {
			s := h.Summary()
			*ph.field(b) = &s
			hists[ph.key+":"+upstream] = h
		}
	}
	return b
}

// mergeBreakdown merges two results' breakdowns of one upstream: counts
// summed, summaries from the merged histograms.
func mergeBreakdown(a, b *Breakdown, upstream string, summary func(string) (Summary, bool)) *Breakdown {
	if a == nil && b == nil {
		return nil
	}
	m := &Breakdown{}
	for _, x := range []*Breakdown{a, b} {
		if x != nil {
			m.NewConnections += x.NewConnections
			m.ReusedConnections += x.ReusedConnections
		}
	}
	for _, ph := range breakdownPhases {
		if s, ok := summary(ph.key + ":" + upstream); ok {
			*ph.field(m) = &s
		}
	}
	return m
}
