package precise

import "time"

// sleeper is one goroutine waiting for at; it is sent on wake when its time
// has come. Sleepers are reused, their backup timers with them, so a sleep
// allocates nothing: an allocating goroutine can be drafted into the
// garbage collector's marking, and a load generator's pacer must not be.
type sleeper struct {
	at     time.Time
	wake   chan struct{}
	index  int         // in the heap; -1 when not in it
	backup *time.Timer // stopped between sleeps; nil before the first
}

// startBackup sets s's backup timer to fire at s.at. Since Go 1.23 a
// stopped or reset timer delivers no stale tick, so the timer is reused.
func (s *sleeper) startBackup() {
	if s.backup == nil {
		s.backup = time.NewTimer(time.Until(s.at))
		return
	}
	s.backup.Reset(time.Until(s.at))
}

// restingSleepers is how many sleepers must be back in the queue before
// the oldest is reused.
//
// Why not reuse the one just returned: its backup timer, stopped, stays in
// the runtime's timer heap until the runtime next looks at that heap, and a
// timer reset while still there is marked modified, for which the runtime
// walks its whole heap. At 10,000 calls in flight that heap holds 20,000
// timers (the calls' timeouts, their connections' idle timers), and the
// walk cost 35 µs of CPU a sleep: 9% of the generator's CPU at 2,500
// operations/s (go test -bench SleepAmongTimers ./internal/precise). The
// runtime drops a stopped timer from its heap once the timer's time has
// come, and it has come when its sleeper woke on time, so after 16 other
// sleeps the timer is out of the heap. (A sleeper cancelled long before its
// time can still be reused with its timer in the heap: one walk, rarely.)
const restingSleepers = 16

// maxIdleSleepers bounds the sleepers kept for reuse; beyond it a returned
// one is left to the garbage collector.
const maxIdleSleepers = 1 << 16

// sleeperQueue holds the sleepers not in use, oldest first, in a ring that
// grows as needed.
type sleeperQueue struct {
	ring    []*sleeper
	head, n int
}

// get returns the oldest idle sleeper, or a new one while no more than
// restingSleepers are idle.
func (q *sleeperQueue) get() *sleeper {
	if q.n <= restingSleepers {
		return &sleeper{wake: make(chan struct{}, 1), index: -1}
	}
	s := q.ring[q.head]
	q.ring[q.head] = nil
	q.head = (q.head + 1) % len(q.ring)
	q.n--
	return s
}

// put returns s, whose backup timer is stopped, to the back of the queue.
func (q *sleeperQueue) put(s *sleeper) {
	if q.n == len(q.ring) {
		if q.n >= maxIdleSleepers {
			return
		}
		grown := make([]*sleeper, max(2*len(q.ring), 2*restingSleepers))
		for i := range q.n {
			grown[i] = q.ring[(q.head+i)%len(q.ring)]
		}
		q.ring, q.head = grown, 0
	}
	q.ring[(q.head+q.n)%len(q.ring)] = s
	q.n++
}

// sleeperHeap orders sleepers by time (container/heap).
type sleeperHeap []*sleeper

func (h sleeperHeap) Len() int           { return len(h) }
func (h sleeperHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h sleeperHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *sleeperHeap) Push(x any) {
	s := x.(*sleeper)
	s.index = len(*h)
	*h = append(*h, s)
}
func (h *sleeperHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	s.index = -1
	*h = old[:len(old)-1]
	return s
}
