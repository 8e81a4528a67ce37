package mockupstream

import (
	"net/http"
	"time"
)

// Protocol headers. The harness's HTTP caller sets them on every request so
// the mock draws the same behaviour for the same operation in every strategy.
const (
	// HeaderSeq carries the operation's sequence number, in decimal.
	HeaderSeq = "Fanbench-Seq"
	// HeaderAttempt carries the attempt of the call, in decimal: 0 for the
	// first try, 1 for the first retry, and so on.
	HeaderAttempt = "Fanbench-Attempt"
	// HeaderUpstream names the upstream that answered, on every response.
	HeaderUpstream = "Fanbench-Upstream"
)

// Behavior is a Config compiled for drawing. It is immutable and safe for
// concurrent use.
type Behavior struct {
	latency  latencySampler
	statuses []int     // error statuses, ascending
	cum      []float64 // cum[i] = P(status <= statuses[i]); ascending
}

// Compile validates c and compiles it. The error is c.Validate's: one or
// more *FieldError joined with errors.Join.
func Compile(c Config) (*Behavior, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	b := &Behavior{latency: compileLatency(c.Latency)}
	var total float64
	for _, s := range sortedStatuses(c.Errors) {
		p := c.Errors[s].Float()
		if p == 0 {
			continue
		}
		total += p
		b.statuses = append(b.statuses, s)
		b.cum = append(b.cum, total)
	}
	return b, nil
}

// Draw is what a mock upstream does with one request.
type Draw struct {
	Latency time.Duration // delay before the answer
	Status  int           // http.StatusOK when no fault was drawn
}

// Drawer computes the draws of one upstream under one seed. A draw is a pure
// function of (seed, upstream, seq, attempt), the same on every platform and
// in every process, so the runner can know each request's behaviour without
// sending it. A Drawer is a small value, safe for concurrent use.
type Drawer struct {
	key uint64
	b   *Behavior
}

// NewDrawer returns the drawer of upstream under seed. A nil b draws the
// zero Config: 200 at once.
func NewDrawer(seed uint64, upstream string, b *Behavior) Drawer {
	return Drawer{key: mix64(mix64(seed+golden) ^ fnv1a(upstream)), b: b}
}

// Stream indices: each quantity of a draw reads its own uniform number, so
// latency and fault are independent.
const (
	streamLatency = 1
	streamFault   = 2
)

// Draw returns the behaviour for attempt of operation seq. It does not
// allocate.
func (d Drawer) Draw(seq uint64, attempt uint32) Draw {
	out := Draw{Status: http.StatusOK}
	b := d.b
	if b == nil {
		return out
	}
	// Counter-based generation (as in splitmix64 and Philox): the request's
	// key is a hash of its coordinates, uniform i a hash of (key, i). Every
	// step is a bijection (xor, multiply by an odd constant, mix64), so two
	// seqs of one attempt, or two attempts of one seq, never share a key.
	k := mix64(d.key ^ seq*golden)
	k = mix64(k ^ uint64(attempt)*golden2)
	out.Latency = b.latency.sample(uniform(k, streamLatency))
	if len(b.cum) > 0 {
		u := uniform(k, streamFault)
		for i, c := range b.cum {
			if u < c {
				out.Status = b.statuses[i]
				break
			}
		}
	}
	return out
}

const (
	golden  = 0x9e3779b97f4a7c15 // 2^64 / φ, the splitmix64 increment
	golden2 = 0xc2b2ae3d27d4eb4f // an odd constant from xxHash64
)

// mix64 is the splitmix64 finalizer (Stafford's variant 13): a bijection of
// uint64 with good avalanche.
func mix64(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// uniform returns the i-th uniform number of key, in [0, 1), from the top 53
// bits of a hash so that every value is an exact float64.
func uniform(key, i uint64) float64 {
	return float64(mix64(key^i*golden)>>11) * 0x1p-53
}

// fnv1a is FNV-1a 64 of s, written out so that hashing the name allocates
// nothing and cannot change with a library.
func fnv1a(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return h
}
