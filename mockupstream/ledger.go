package mockupstream

import (
	"hash/maphash"
	"math/bits"
	"strings"
	"sync"
	"sync/atomic"
)

// HeaderIdempotencyKey is the request header whose values the ledger records.
const HeaderIdempotencyKey = "Idempotency-Key"

// Ledger records the idempotency keys a mock upstream received, so a run can
// tell which calls were delivered, which were delivered more than once and,
// against the calls it made, which were lost. A call counts as delivered
// when it was answered 2xx: a 503 or a 429 tells the client to try again.
//
// A Ledger is safe for concurrent use. It keeps a 64-bit hash of each key,
// not the key: 8 bytes per key in 256 hash tables that stay between 53% and
// 80% full, so 10 to 15 bytes per key once there are a few thousand (10
// million keys take about 130 MB); each table in use takes 128 bytes at
// least.
// Two distinct keys share a hash with probability 2⁻⁶⁴, so among n keys some
// pair collides with probability about n²/2⁶⁵: 3·10⁻⁶ for 10 million keys,
// 3·10⁻⁸ for a million. A collision makes two keys count as one: one
// duplicate too many and one unique key too few.
//
// The text of the first MaxDuplicateSamples keys seen twice is kept, for
// the admin endpoint to show.
//
// A nil *Ledger records nothing and holds nothing: a server started with
// NoLedger has one.
type Ledger struct {
	seed    maphash.Seed
	noKey   atomic.Uint64
	shards  [ledgerShards]ledgerShard
	samples sampleList
}

// MaxDuplicateSamples is how many duplicated keys a Ledger keeps the text
// of, each cut to maxSampleBytes.
const MaxDuplicateSamples = 100

const (
	ledgerShardBits = 8
	ledgerShards    = 1 << ledgerShardBits
	// The hash table of a shard holds at most maxLoad of its slots; when an
	// insert would pass that, the table grows by half. A full-ish table
	// stays fast with linear probing (about 13 slots looked at, in two
	// cache lines, to insert at 80%) and small (10–15 bytes per key).
	maxLoadNum, maxLoadDen = 4, 5
	minSlots               = 16
	maxSampleBytes         = 256
)

// A slot holds a key's hash, shifted left by ledgerShardBits (the top bits
// chose the shard, so they are implied), and the key's flags in the low
// bits. An empty slot is 0; an occupied one always has slotUsed set.
const (
	slotUsed     = 1 << 0 // the key was seen
	slotDup      = 1 << 1 // the key was seen more than once
	slotAccepted = 1 << 2 // the key was answered 2xx at least once
	slotFlags    = ledgerShards - 1
)

// ledgerShard is one open-addressing hash set of the keys whose hash has the
// shard's top bits, with its counters. Padding keeps two shards' locks off
// one cache line.
type ledgerShard struct {
	mu          sync.Mutex
	slots       []uint64
	keys        int    // occupied slots
	limit       int    // grow before keys passes it
	received    uint64 // requests that carried a key
	dupKeys     uint64 // keys seen more than once
	accepted    uint64 // keys answered 2xx at least once
	dupAccepted uint64 // 2xx answers to a key already answered 2xx
	_           [64]byte
}

// sampleList holds the first duplicated keys, in the order found.
type sampleList struct {
	full atomic.Bool // len(keys) == MaxDuplicateSamples: skip the lock
	mu   sync.Mutex
	keys []string
}

// LedgerStats are the counts of a Ledger. Every request that carried a key
// is one of the unique keys' first deliveries or a duplicate request:
// Received = UniqueKeys + DuplicateRequests.
type LedgerStats struct {
	// Received counts the requests that carried an idempotency key.
	Received uint64 `json:"received"`
	// UniqueKeys counts the distinct keys received.
	UniqueKeys uint64 `json:"unique_keys"`
	// DuplicatedKeys counts the keys received more than once.
	DuplicatedKeys uint64 `json:"duplicated_keys"`
	// DuplicateRequests counts the requests beyond the first for each key
	// (Received − UniqueKeys): retries and redeliveries.
	DuplicateRequests uint64 `json:"duplicate_requests"`
	// WithoutKey counts the requests that carried no idempotency key.
	WithoutKey uint64 `json:"without_key"`
	// AcceptedKeys counts the keys answered 2xx at least once: the calls
	// delivered. Calls sent but not among them were lost.
	AcceptedKeys uint64 `json:"accepted_keys"`
	// DuplicateAccepted counts the 2xx answers to a key already answered
	// 2xx: deliveries the idempotency key had to make harmless.
	DuplicateAccepted uint64 `json:"duplicate_accepted"`
	// DuplicateSamples holds the first duplicated keys (at most
	// MaxDuplicateSamples, each cut to 256 bytes), in the order found.
	DuplicateSamples []string `json:"duplicate_samples"`
	// TableBytes is the memory of the hash tables: 10 to 15 bytes per key
	// past a few thousand keys, 32 KiB at least below that.
	TableBytes uint64 `json:"table_bytes"`
}

// NewLedger returns an empty ledger. Its hash seed is random, so the keys
// that would collide differ from one ledger to the next.
func NewLedger() *Ledger { return &Ledger{seed: maphash.MakeSeed()} }

// Record notes one request carrying key ("" when it had none), answered with
// status. It does not allocate, except when a shard's table grows or a
// duplicated key's text is kept.
func (l *Ledger) Record(key string, status int) {
	if l == nil {
		return
	}
	if key == "" {
		l.noKey.Add(1)
		return
	}
	h := maphash.String(l.seed, key)
	s := &l.shards[h>>(64-ledgerShardBits)]
	tag := h << ledgerShardBits
	ok := status >= 200 && status < 300
	s.mu.Lock()
	s.received++
	i, found := s.find(tag)
	if !found {
		if s.keys >= s.limit {
			s.grow()
			i, _ = s.find(tag)
		}
		v := tag | slotUsed
		if ok {
			v |= slotAccepted
			s.accepted++
		}
		s.slots[i] = v
		s.keys++
		s.mu.Unlock()
		return
	}
	v := s.slots[i]
	firstDup := v&slotDup == 0
	if firstDup {
		v |= slotDup
		s.dupKeys++
	}
	if ok {
		if v&slotAccepted != 0 {
			s.dupAccepted++
		} else {
			v |= slotAccepted
			s.accepted++
		}
	}
	s.slots[i] = v
	s.mu.Unlock()
	if firstDup {
		l.samples.add(key)
	}
}

// find returns the slot holding tag, or the empty slot where it belongs
// (found false). It must not be called on a table without an empty slot;
// the load limit sees to that, and a nil table has no slot at all.
func (s *ledgerShard) find(tag uint64) (i int, found bool) {
	n := len(s.slots)
	if n == 0 {
		return 0, false
	}
	// The slot is the hash scaled to the table (Lemire's multiply-shift),
	// so the table size need not be a power of two.
	hi, _ := bits.Mul64(tag, uint64(n))
	for i = int(hi); ; {
		v := s.slots[i]
		if v == 0 {
			return i, false
		}
		if v&^slotFlags == tag {
			return i, true
		}
		if i++; i == n {
			i = 0
		}
	}
}

// grow moves the keys into a table half as big again (minSlots at first).
func (s *ledgerShard) grow() {
	old := s.slots
	n := max(minSlots, len(old)+len(old)/2)
	s.slots = make([]uint64, n)
	s.limit = n * maxLoadNum / maxLoadDen
	for _, v := range old {
		if v != 0 {
			i, _ := s.find(v &^ slotFlags)
			s.slots[i] = v
		}
	}
}

func (sl *sampleList) add(key string) {
	if sl.full.Load() {
		return
	}
	if len(key) > maxSampleBytes {
		key = strings.ToValidUTF8(key[:maxSampleBytes], "")
	}
	key = strings.Clone(key) // not the request's header memory
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if len(sl.keys) < MaxDuplicateSamples {
		sl.keys = append(sl.keys, key)
	}
	sl.full.Store(len(sl.keys) == MaxDuplicateSamples)
}

// Contains reports whether key was recorded since the last Reset.
func (l *Ledger) Contains(key string) bool {
	return l.lookup(key)&slotUsed != 0
}

// lookup returns the flags of key: 0 when it was never recorded.
func (l *Ledger) lookup(key string) uint64 {
	if l == nil || key == "" {
		return 0
	}
	h := maphash.String(l.seed, key)
	s := &l.shards[h>>(64-ledgerShardBits)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, found := s.find(h << ledgerShardBits); found {
		return s.slots[i] & slotFlags
	}
	return 0
}

// Snapshot returns the counts. Each shard is read at its own instant: read
// them after the traffic has stopped for sums that add up.
func (l *Ledger) Snapshot() LedgerStats {
	if l == nil {
		return LedgerStats{}
	}
	st := LedgerStats{WithoutKey: l.noKey.Load()}
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		st.Received += s.received
		st.UniqueKeys += uint64(s.keys)
		st.DuplicatedKeys += s.dupKeys
		st.AcceptedKeys += s.accepted
		st.DuplicateAccepted += s.dupAccepted
		st.TableBytes += 8 * uint64(len(s.slots))
		s.mu.Unlock()
	}
	st.DuplicateRequests = st.Received - st.UniqueKeys
	l.samples.mu.Lock()
	st.DuplicateSamples = append([]string{}, l.samples.keys...)
	l.samples.mu.Unlock()
	return st
}

// Reset forgets every key and zeroes the counts, giving the tables' memory
// back. Requests recorded during a Reset may be kept or forgotten.
func (l *Ledger) Reset() {
	if l == nil {
		return
	}
	l.noKey.Store(0)
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		s.slots, s.keys, s.limit = nil, 0, 0
		s.received, s.dupKeys, s.accepted, s.dupAccepted = 0, 0, 0, 0
		s.mu.Unlock()
	}
	l.samples.mu.Lock()
	l.samples.keys = nil
	l.samples.full.Store(false)
	l.samples.mu.Unlock()
}
