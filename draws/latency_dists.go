package draws

import (
	"fmt"
	"math"
	"time"

	"github.com/fanbench/fanbench/units"
)

// samplerKind is the distribution of a compiled Latency.
type samplerKind uint8

const (
	kindFixed samplerKind = iota
	kindUniform
	kindNormal
	kindLognormal
	kindExponential
	kindPareto
	kindPercentiles
	kindMixture
)

// latencySampler is a compiled Latency: it turns one uniform number in
// [0, 1) into a delay (inverse transform sampling), so a draw needs exactly
// one uniform and stays paired. Except for mixtures, the delay never falls
// as u grows. It is immutable once compiled, and sample allocates nothing.
type latencySampler struct {
	kind samplerKind
	base time.Duration // fixed: the delay; uniform: min
	span time.Duration // uniform: max − min
	// a, b and c are the parameters, in nanoseconds where they are delays:
	//	normal       Φ(−mean/stddev), mean, stddev·√2
	//	lognormal    ln median, sigma·√2
	//	exponential  mean
	//	pareto       scale, −1/shape
	//	percentiles  min, max (0 when not set), the tail slope
	a, b, c float64
	ceil    float64 // the cap of an unbounded delay, in ns; +Inf for none
	knots   []knot  // the points of a percentile table
	parts   []part  // the components of a mixture, of positive weight
}

// knot is one point of a percentile table.
type knot struct {
	q float64 // the quantile
	z float64 // Φ⁻¹(q)
	l float64 // ln(1/(1−q))
	v float64 // the delay, in ns
	y float64 // ln v
}

// part is one component of a mixture: u in [lo, hi) selects it.
type part struct {
	lo, hi float64
	s      latencySampler
}

// oneBelow is the largest float64 below 1.
const oneBelow = 1 - 0x1p-53

// probit is Φ⁻¹, the quantile function of the standard normal.
func probit(q float64) float64 { return math.Sqrt2 * math.Erfinv(2*q-1) }

// ns returns d in nanoseconds.
func ns(d units.Duration) float64 { return float64(d) }

// compileLatency compiles a validated Latency.
func compileLatency(l Latency) latencySampler {
	ceil := math.Inf(1)
	if l.Max > 0 {
		ceil = ns(l.Max)
	}
	switch l.EffectiveDist() {
	case DistUniform:
		return latencySampler{kind: kindUniform, base: l.Min.D(), span: l.Max.D() - l.Min.D()}
	case DistNormal:
		m, sd := ns(l.Mean), ns(l.Stddev)
		return latencySampler{kind: kindNormal, a: 0.5 * math.Erfc(m/(sd*math.Sqrt2)), b: m, c: sd * math.Sqrt2, ceil: ceil}
	case DistLognormal:
		mu, sigma := math.Log(ns(l.Median)), l.Sigma
		if l.P50 > 0 {
			mu = math.Log(ns(l.P50))
			sigma = (math.Log(ns(l.P99)) - mu) / probit(0.99)
		}
		return latencySampler{kind: kindLognormal, a: mu, b: sigma * math.Sqrt2, ceil: ceil}
	case DistExponential:
		return latencySampler{kind: kindExponential, a: ns(l.Mean), ceil: ceil}
	case DistPareto:
		return latencySampler{kind: kindPareto, a: ns(l.Scale), b: -1 / l.Shape, ceil: ceil}
	case DistPercentiles:
		return compilePercentiles(l)
	case DistMixture:
		return compileMixture(l)
	}
	return latencySampler{kind: kindFixed, base: l.Value.D()}
}

func compilePercentiles(l Latency) latencySampler {
	s := latencySampler{kind: kindPercentiles, ceil: math.Inf(1)}
	for i, p := range l.points() {
		if p > 0 {
			q, v := pointQuantiles[i], ns(p)
			s.knots = append(s.knots, knot{q: q, z: probit(q), l: -math.Log1p(-q), v: v, y: math.Log(v)})
		}
	}
	n := len(s.knots)
	if n < 2 { // not validated: the one point, if any
		var v float64
		if n == 1 {
			v = s.knots[0].v
		}
		return latencySampler{kind: kindFixed, base: time.Duration(v)}
	}
	s.a = s.knots[0].v / 2
	if l.Min > 0 {
		s.a = ns(l.Min)
	}
	top, below := s.knots[n-1], s.knots[n-2]
	if l.Max > 0 {
		s.b = ns(l.Max)
	} else {
		s.c = (top.y - below.y) / (top.l - below.l)
		s.ceil = 10 * top.v
	}
	return s
}

func compileMixture(l Latency) latencySampler {
	s := latencySampler{kind: kindMixture}
	var total float64
	for _, c := range l.Components {
		total += c.Weight.Float()
	}
	var cum float64
	for _, c := range l.Components {
		w := c.Weight.Float()
		if !(w > 0) {
			continue
		}
		lo := cum / total
		cum += w
		s.parts = append(s.parts, part{lo: lo, hi: cum / total, s: compileLatency(c.Latency)})
	}
	if len(s.parts) == 0 { // not validated
		return latencySampler{kind: kindFixed}
	}
	s.parts[len(s.parts)-1].hi = 1
	return s
}

// toDuration rounds a delay in nanoseconds to a Duration: 0 for NaN or
// below, the largest Duration for huge ones.
func toDuration(x float64) time.Duration {
	if !(x > 0) {
		return 0
	}
	if x >= 0x1p63 {
		return math.MaxInt64
	}
	return time.Duration(x + 0.5)
}

// sample returns the delay at quantile u of the distribution.
func (s *latencySampler) sample(u float64) time.Duration {
	switch s.kind {
	case kindUniform:
		if s.span <= 0 {
			return s.base
		}
		lat := s.base + time.Duration(u*float64(s.span))
		return min(lat, s.base+s.span) // float rounding on huge spans
	case kindNormal:
		p := s.a + u*(1-s.a) // u within the part of the normal at or above 0
		return toDuration(min(s.b+s.c*math.Erfinv(2*p-1), s.ceil))
	case kindLognormal:
		return toDuration(min(math.Exp(s.a+s.b*math.Erfinv(2*u-1)), s.ceil))
	case kindExponential:
		return toDuration(min(-s.a*math.Log1p(-u), s.ceil))
	case kindPareto:
		return toDuration(min(s.a*math.Exp(s.b*math.Log1p(-u)), s.ceil))
	case kindPercentiles:
		return s.percentile(u)
	case kindMixture:
		last := len(s.parts) - 1
		for i := range s.parts {
			if p := &s.parts[i]; u < p.hi || i == last {
				return p.s.sample(min(max((u-p.lo)/(p.hi-p.lo), 0), oneBelow))
			}
		}
	}
	return s.base
}

// percentile interpolates a percentile table at u.
func (s *latencySampler) percentile(u float64) time.Duration {
	k := s.knots
	if u < k[0].q { // from min at 0 up to the lowest point, linear
		return toDuration(s.a + (k[0].v-s.a)*(u/k[0].q))
	}
	for i := 1; i < len(k); i++ {
		if u < k[i].q { // the lognormal through both points
			lo, hi := &k[i-1], &k[i]
			t := (probit(u) - lo.z) / (hi.z - lo.z)
			return toDuration(math.Exp(lo.y + t*(hi.y-lo.y)))
		}
	}
	top := &k[len(k)-1]
	if s.b > 0 { // up to max at 1, linear
		return toDuration(top.v + (s.b-top.v)*((u-top.q)/(1-top.q)))
	}
	// The last segment's slope in ln(delay) against ln(1/(1−q)), capped.
	return toDuration(min(math.Exp(top.y+s.c*(-math.Log1p(-u)-top.l)), s.ceil))
}

// Quantile returns the delay below which a share q of the draws fall, for q
// in [0, 1): Quantile(0.99) is the p99 of the distribution, analytic for the
// named distributions, the configured point for a percentile table (exactly),
// and found by bisection on the distribution function for a mixture. The
// error is a validation error (*FieldError values under "latency", joined) or
// a q out of range.
func (l Latency) Quantile(q float64) (time.Duration, error) {
	var ps Problems
	l.Check("latency", ps.Add)
	if err := ps.Err(); err != nil {
		return 0, err
	}
	if !(q >= 0 && q < 1) {
		return 0, fmt.Errorf("quantile %v is out of range; allowed: 0 <= q < 1, such as 0.99 for p99", q)
	}
	s := compileLatency(l)
	return s.quantile(q), nil
}

// quantile returns the smallest delay x with P(delay <= x) > q.
func (s *latencySampler) quantile(q float64) time.Duration {
	if s.kind != kindMixture {
		return s.sample(q)
	}
	if s.cdf(0) > q {
		return 0
	}
	lo, hi := time.Duration(0), s.sup() // cdf(lo) <= q < cdf(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if s.cdf(mid) > q {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// cdf returns P(delay <= x) for a u uniform on the multiples of 2⁻⁵³ in
// [0, 1), as drawn.
func (s *latencySampler) cdf(x time.Duration) float64 {
	if s.kind == kindMixture {
		var f float64
		for i := range s.parts {
			p := &s.parts[i]
			f += (p.hi - p.lo) * p.s.cdf(x)
		}
		return f
	}
	if s.sample(0) > x {
		return 0
	}
	lo, hi := uint64(0), uint64(1)<<53 // sample(lo·2⁻⁵³) <= x; hi is past the end
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if s.sample(float64(mid)*0x1p-53) <= x {
			lo = mid
		} else {
			hi = mid
		}
	}
	return float64(lo+1) * 0x1p-53
}

// sup returns the largest delay s draws.
func (s *latencySampler) sup() time.Duration {
	if s.kind != kindMixture {
		return s.sample(oneBelow)
	}
	var m time.Duration
	for i := range s.parts {
		m = max(m, s.parts[i].s.sup())
	}
	return m
}
