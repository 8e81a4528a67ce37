package draws

// The paired draws are counter-based (as in splitmix64 and Philox): a
// request's key is a hash of its coordinates (seed, upstream, seq,
// attempt), and its i-th uniform number a hash of (key, i). Every step is
// a bijection (xor, multiply by an odd constant, Mix64), so two seqs of one
// attempt, or two attempts of one seq, never share a key; and the numbers
// are the same on every platform and in every process, which is what lets
// the harness know a mock's behaviour without sending the request.

// Golden is 2^64 / φ, the splitmix64 increment.
const Golden = 0x9e3779b97f4a7c15

const (
	golden  = Golden
	golden2 = 0xc2b2ae3d27d4eb4f // an odd constant from xxHash64
	golden3 = 0x165667b19e3779f9 // another, xxHash64's PRIME64_5
)

// Key identifies a stream of draws: one upstream under one seed, or one
// request of it (Request).
type Key uint64

// NewKey returns the key of the named stream (an upstream) under seed.
func NewKey(seed uint64, name string) Key {
	return Key(Mix64(Mix64(seed+golden) ^ fnv1a(name)))
}

// Request returns the key of attempt of operation seq in k's stream.
func (k Key) Request(seq uint64, attempt uint32) Key {
	r := Mix64(uint64(k) ^ seq*golden)
	return Key(Mix64(r ^ uint64(attempt)*golden2))
}

// Call returns the key of the call of that ordinal among an operation's
// calls to one upstream, from a request's key: ordinal 0 is the request's
// key itself, so a single call draws as it always has.
func (k Key) Call(ordinal uint32) Key {
	if ordinal == 0 {
		return k
	}
	return Key(Mix64(uint64(k) ^ uint64(ordinal)*golden3))
}

// Uniform returns the i-th uniform number of k, in [0, 1): each quantity
// of a draw (latency, fault) reads its own i, so they are independent.
func (k Key) Uniform(i uint64) float64 {
	return Unit(Mix64(uint64(k) ^ i*golden))
}

// Unit maps a hash to [0, 1) from its top 53 bits, so that every value is
// an exact float64.
func Unit(h uint64) float64 { return float64(h>>11) * 0x1p-53 }

// Mix64 is the splitmix64 finalizer (Stafford's variant 13): a bijection of
// uint64 with good avalanche.
func Mix64(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// SplitMix is one step of SplitMix64: the golden increment, then Mix64.
func SplitMix(z uint64) uint64 { return Mix64(z + golden) }

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
