package jetstream

import (
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanbench/fanbench/strategies"
)

// key names a call: its operation's sequence number and its index.
type key struct {
	seq  uint64
	call int
}

func keyOf(m strategies.Message) key { return key{seq: m.Seq, call: m.Call} }

// entry is a message in flight: published (or being published) and not
// yet acknowledged by a consumer. claimed: a consumer's acknowledgement of
// it is on its way to the server.
type entry struct {
	m       strategies.Message
	claimed bool
}

// pubWaiter carries an async publish's outcome from the client's ack
// handler to the publisher; recycled, so a publish allocates none.
type pubWaiter struct {
	done chan pubOutcome // buffered 1
}

type pubOutcome struct {
	ack *jetstream.PubAck
	err error
}

// setWaiter makes w the waiter of k's async publish: where its ack
// handler sends the outcome.
//
// Waiters are kept apart from the messages in flight: a consumer can
// receive, deliver and acknowledge a message, and so remove it, before the
// client hands its PubAck to the handler; the handler must still find the
// publisher waiting (it once found nothing, and the publisher waited for
// the run's end).
func (t *table) setWaiter(k key, w *pubWaiter) {
	s := &t.shards[t.shard(k)]
	s.mu.Lock()
	s.waits[k] = w
	s.mu.Unlock()
}

// takeWaiter removes and returns the waiter of k's publish: whoever takes
// it (the ack handler, or a publisher giving up) is the only one to use
// it.
func (t *table) takeWaiter(k key) *pubWaiter {
	s := &t.shards[t.shard(k)]
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.waits[k]
	if !ok {
		return nil
	}
	delete(s.waits, k)
	return w
}

// tableShards spreads the table's lock: publishers and consumers of
// different operations rarely meet.
const tableShards = 64

// table holds the messages in flight, by call. A message the server
// delivers is looked up here: the strategies.Message (with the pointers a
// body cannot carry) comes back, and a message no longer here was already
// acknowledged. Safe for concurrent use.
type table struct {
	shards [tableShards]struct {
		mu    sync.Mutex
		m     map[key]entry
		waits map[key]*pubWaiter // see setWaiter
		_     [40]byte           // a cache line each
	}
	n atomic.Int64
}

func newTable() *table {
	t := &table{}
	for i := range t.shards {
		t.shards[i].m, t.shards[i].waits = map[key]entry{}, map[key]*pubWaiter{}
	}
	return t
}

func (t *table) shard(k key) int { return int((k.seq*31 + uint64(k.call)) % tableShards) }

// put adds m; false when a message of that call is in flight already.
func (t *table) put(m strategies.Message) bool {
	k := keyOf(m)
	s := &t.shards[t.shard(k)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.m[k]; dup {
		return false
	}
	s.m[k] = entry{m: m}
	t.n.Add(1)
	return true
}

// get returns the message of k; false when none is in flight.
func (t *table) get(k key) (strategies.Message, bool) {
	s := &t.shards[t.shard(k)]
	s.mu.Lock()
	e, ok := s.m[k]
	s.mu.Unlock()
	return e.m, ok
}

// claim marks k's message as being acknowledged; false when it is not in
// flight, or another delivery of it claimed it first.
func (t *table) claim(k key) bool {
	s := &t.shards[t.shard(k)]
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok || e.claimed {
		return false
	}
	e.claimed = true
	s.m[k] = e
	return true
}

// unclaim puts a claimed message back in flight: its acknowledgement
// failed, and the server will deliver it again.
func (t *table) unclaim(k key) {
	s := &t.shards[t.shard(k)]
	s.mu.Lock()
	if e, ok := s.m[k]; ok {
		e.claimed = false
		s.m[k] = e
	}
	s.mu.Unlock()
}

// remove forgets k's message: acknowledged, or never published.
func (t *table) remove(k key) {
	s := &t.shards[t.shard(k)]
	s.mu.Lock()
	if _, ok := s.m[k]; ok {
		delete(s.m, k)
		t.n.Add(-1)
	}
	s.mu.Unlock()
}

// len is the number of messages in flight.
func (t *table) len() int { return int(t.n.Load()) }
