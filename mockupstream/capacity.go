package mockupstream

import (
	"container/list"
	"context"
	"math"
	"sync"
	"sync/atomic"
)

// gate is a server's finite capacity: a counting semaphore with a bounded
// FIFO queue, as a thread pool with a backlog. The limits come with each
// acquire, so that an incident can change them while requests are in
// service: the requests in service keep their slots, and a raised limit
// lets queued requests in at once. It is safe for concurrent use.
//
// One gate serves a Server for its whole life, across SetConfig and Reset,
// so that every slot taken is given back to the gate that counts it.
type gate struct {
	mu      sync.Mutex
	busy    int       // requests holding a slot
	limit   int       // the concurrency in force, from the latest acquire
	waiting list.List // *waiter, in arrival order
	queued  atomic.Int64
}

// waiter is one request in the queue. ready is closed when it is given a
// slot; granted says so under the gate's lock.
type waiter struct {
	ready   chan struct{}
	granted bool
}

// admission is the outcome of an acquire.
type admission uint8

const (
	admitted  admission = iota // holds a slot: call release
	queueFull                  // refused: answer 503
	gaveUp                     // ctx ended while queued
)

func newGate() *gate { return &gate{limit: math.MaxInt} }

// acquire takes a slot under the limits of c, waiting in the queue when
// every slot is taken, until ctx ends. A zero c is unlimited: the request
// takes a slot (so that a later, limited phase counts it) without waiting.
func (g *gate) acquire(ctx context.Context, c Capacity) admission {
	limit := c.Concurrency
	if limit <= 0 {
		limit = math.MaxInt
	}
	g.mu.Lock()
	if limit != g.limit {
		g.limit = limit
		g.grantLocked() // a raised limit lets the queue in first
	}
	if g.busy < g.limit && g.waiting.Len() == 0 {
		g.busy++
		g.mu.Unlock()
		return admitted
	}
	if g.waiting.Len() >= c.Queue {
		g.mu.Unlock()
		return queueFull
	}
	w := &waiter{ready: make(chan struct{})}
	e := g.waiting.PushBack(w)
	g.queued.Add(1)
	g.mu.Unlock()

	select {
	case <-w.ready:
		return admitted
	case <-ctx.Done():
	}
	g.mu.Lock()
	if w.granted { // the slot came as ctx ended: hand it on
		g.busy--
		g.grantLocked()
	} else {
		g.waiting.Remove(e)
		g.queued.Add(-1)
	}
	g.mu.Unlock()
	return gaveUp
}

// release gives a slot back, to the first request in the queue if any.
func (g *gate) release() {
	g.mu.Lock()
	g.busy--
	g.grantLocked()
	g.mu.Unlock()
}

// grantLocked hands free slots to the queue, in order; g.mu is held.
func (g *gate) grantLocked() {
	for g.busy < g.limit && g.waiting.Len() > 0 {
		w := g.waiting.Remove(g.waiting.Front()).(*waiter)
		g.queued.Add(-1)
		w.granted = true
		g.busy++
		close(w.ready)
	}
}
