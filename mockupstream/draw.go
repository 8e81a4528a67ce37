package mockupstream

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/fanbench/fanbench/draws"
)

// Fault is how a drawn request fails, if it does.
type Fault uint8

// Faults a draw can give. FaultStatus answers Draw.Status; the others send
// no valid HTTP answer at all, and their Draw.Status is 0.
const (
	FaultNone      Fault = iota // answered 200
	FaultStatus                 // answered with an error status (Config.Errors)
	FaultHang                   // no answer until the client gives up
	FaultReset                  // the connection is reset (TCP RST)
	FaultEmpty                  // the connection is closed without a byte
	FaultMalformed              // bytes that are not HTTP, then close
	numFaults
)

var faultNames = [numFaults]string{"none", "status", "hang", "reset", "empty", "malformed"}

// String returns the fault's name as the stats spell it: "none", "status",
// "hang", "reset", "empty" or "malformed".
func (f Fault) String() string {
	if f < numFaults {
		return faultNames[f]
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// MarshalText writes the name, so a map keyed by Fault reads well in JSON.
func (f Fault) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// Behavior is a Config compiled for drawing: its base behaviour and that of
// each incident. It is immutable and safe for concurrent use.
type Behavior struct {
	base      phase
	incidents []phase  // in Config order
	windows   []window // windows[i] is when incidents[i] is in force
}

// phase is the drawing part of one effective Config.
type phase struct {
	latency *draws.Sampler
	scale   float64   // latency multiplier; 1 for none
	results []result  // the outcomes of the fault draw, errors then faults
	cum     []float64 // cum[i] = P(outcome <= results[i]); ascending
	config  Config    // the effective Config, for the server's settings
	// correlated: the latency is drawn by operation, not by request.
	correlated bool
	// async: the completion of 202s; nil answers at once.
	async *asyncPhase
}

// result is one outcome of the fault draw.
type result struct {
	status int
	fault  Fault
}

// Compile validates c and compiles it. The error is c.Validate's: one or
// more *draws.FieldError joined with errors.Join.
func Compile(c Config) (*Behavior, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	b := &Behavior{base: compilePhase(c, 1)}
	for i := range c.Incidents {
		inc := &c.Incidents[i]
		b.incidents = append(b.incidents, compilePhase(inc.apply(c), inc.scale()))
		b.windows = append(b.windows, window{from: inc.From.D(), to: inc.To.D()})
	}
	return b, nil
}

// compilePhase compiles one effective Config (without incidents). The
// errors come first, by status, then the faults: a Config without faults
// draws exactly as it did before faults existed.
func compilePhase(c Config, scale float64) phase {
	c.Incidents = nil
	p := phase{latency: draws.CompileValid(c.Latency), scale: scale, config: c, correlated: c.Correlated,
		async: compileAsync(c.Async)}
	var total float64
	add := func(r result, prob float64) {
		if prob == 0 {
			return
		}
		total += prob
		p.results = append(p.results, r)
		p.cum = append(p.cum, total)
	}
	for _, s := range sortedStatuses(c.Errors) {
		add(result{status: s, fault: FaultStatus}, c.Errors[s].Float())
	}
	add(result{fault: FaultHang}, c.Faults.Hang.Float())
	add(result{fault: FaultReset}, c.Faults.Reset.Float())
	add(result{fault: FaultEmpty}, c.Faults.Empty.Float())
	add(result{fault: FaultMalformed}, c.Faults.Malformed.Float())
	return p
}

// phase returns the phase of index i: -1 is the base.
func (b *Behavior) phase(i int) *phase {
	if i < 0 {
		return &b.base
	}
	return &b.incidents[i]
}

// Draw is what a mock upstream does with one request. The latency is
// drawn whatever the fault: a reset, empty or malformed reply comes after
// it, an error status too; a hang ignores it and never ends by itself.
// The rate limit and the capacity depend on the traffic, not on the draw.
type Draw struct {
	Latency time.Duration // delay before the answer (or the fault)
	Status  int           // the HTTP status answered; 0 for a fault below HTTP
	Fault   Fault         // FaultNone for a 200
	// Async: a 200 is answered 202 and completes Completion after it
	// (late_by included for a late one), unless AsyncFault is AsyncLost.
	Async      bool
	Completion time.Duration
	AsyncFault AsyncFault
}

// Drawer computes the draws of one upstream under one seed. A draw is a pure
// function of (seed, upstream, seq, attempt) and, with incidents, of the
// time elapsed since the server's start: the same on every platform and in
// every process, so the runner can know each request's behaviour without
// sending it. A Drawer is a small value, safe for concurrent use.
type Drawer struct {
	key draws.Key
	b   *Behavior
}

// NewDrawer returns the drawer of upstream under seed. A nil b draws the
// zero Config: 200 at once.
func NewDrawer(seed uint64, upstream string, b *Behavior) Drawer {
	return Drawer{key: draws.NewKey(seed, upstream), b: b}
}

// Stream indices: each quantity of a draw reads its own uniform number, so
// latency and fault are independent.
const (
	streamLatency = 1
	streamFault   = 2
)

// Draw returns the base behaviour for attempt of operation seq, ignoring
// incidents: what DrawAt returns at any time outside every incident. It
// does not allocate.
func (d Drawer) Draw(seq uint64, attempt uint32) Draw {
	return d.drawIn(-1, seq, 0, attempt)
}

// DrawCall is DrawAt for the call of that ordinal among the operation's
// calls to this upstream (Fanbench-Call): the copies of a repeated call
// draw apart, ordinal 0 as DrawAt. It does not allocate.
func (d Drawer) DrawCall(elapsed time.Duration, seq uint64, ordinal, attempt uint32) Draw {
	if d.b == nil {
		return d.drawIn(-1, seq, ordinal, attempt)
	}
	return d.drawIn(phaseAt(d.b.windows, elapsed), seq, ordinal, attempt)
}

// DrawAt returns the behaviour for attempt of operation seq when it arrives
// elapsed after the server's start (or its last Reset): that of the
// incident in force then, if any. Only the phase depends on elapsed; within
// a phase the draw is the same as at any other time. It does not allocate.
func (d Drawer) DrawAt(elapsed time.Duration, seq uint64, attempt uint32) Draw {
	return d.DrawCall(elapsed, seq, 0, attempt)
}

// drawIn draws in phase i (-1 for the base).
func (d Drawer) drawIn(i int, seq uint64, ordinal, attempt uint32) Draw {
	out := Draw{Status: http.StatusOK}
	if d.b == nil {
		return out
	}
	p := d.b.phase(i)
	k := d.key.Request(seq, attempt).Call(ordinal) // see draws.Key
	lk := k
	if p.correlated {
		// Slowness shared by the operation: every call of it to this
		// upstream, every copy, retry and hedge, draws one latency.
		lk = d.key.Request(seq, 0)
	}
	out.Latency = p.latency.Sample(lk.Uniform(streamLatency))
	if p.scale != 1 {
		out.Latency = scaleDuration(out.Latency, p.scale)
	}
	if len(p.cum) > 0 {
		u := k.Uniform(streamFault)
		for j, c := range p.cum {
			if u < c {
				out.Status, out.Fault = p.results[j].status, p.results[j].fault
				break
			}
		}
	}
	if p.async != nil && out.Fault == FaultNone {
		p.async.draw(k, &out)
	}
	return out
}

// scaleDuration returns d × f, saturating instead of overflowing.
func scaleDuration(d time.Duration, f float64) time.Duration {
	v := float64(d) * f
	if v >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(v)
}
