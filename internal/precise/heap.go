package precise

import (
	"sync"
	"time"
)

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

var sleepers = sync.Pool{New: func() any { return &sleeper{wake: make(chan struct{}, 1), index: -1} }}

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
