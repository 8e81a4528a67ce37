package h1

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// dialCounter dials as net.Dialer, counting.
type dialCounter struct{ n atomic.Int64 }

func (d *dialCounter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.n.Add(1)
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}

// A capped pool never holds more connections than its cap, however many
// callers want one at once, and every caller is served.
func TestPoolCapsConnections(t *testing.T) {
	t.Parallel()
	addr, requests := slowPathServer(t)
	var dials dialCounter
	p := NewPool(addr, PoolOptions{Dial: dials.dial, MaxIdle: 8, MaxConns: 2})
	defer p.Close()
	var open, peak atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				c, _, err := p.Get(t.Context(), time.Now().Add(10*time.Second))
				if err != nil {
					t.Error(err)
					return
				}
				n := open.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				var resp Response
				err = c.RoundTrip(t.Context(), time.Now().Add(10*time.Second), []byte(fastRequest), false, &resp)
				time.Sleep(time.Millisecond) // hold it, so that others wait
				open.Add(-1)
				if err != nil {
					t.Error(err)
					c.Close()
					return
				}
				p.Put(c)
			}
		})
	}
	wg.Wait()
	if d, pk, r := dials.n.Load(), peak.Load(), requests(); d > 2 || pk > 2 || r != 80 {
		t.Errorf("%d dials, %d connections in use at once, %d requests; want at most 2, at most 2, 80", d, pk, r)
	}
}

const fastRequest = "GET /fast HTTP/1.1\r\nHost: h\r\n\r\n"

// At the cap, a Get waits: for a connection put back (the same one, no
// dial), for a slot a Close frees (a new dial), or until its context or
// deadline ends.
func TestPoolWaitsAtTheCap(t *testing.T) {
	t.Parallel()
	addr, _ := slowPathServer(t)
	var dials dialCounter
	p := NewPool(addr, PoolOptions{Dial: dials.dial, MaxConns: 1})
	defer p.Close()
	later := time.Now().Add(10 * time.Second)
	held, _, err := p.Get(t.Context(), later)
	if err != nil {
		t.Fatal(err)
	}

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := p.Get(cancelled, later); !errors.Is(err, context.Canceled) {
		t.Errorf("Get at the cap with a cancelled context: %v, want context.Canceled", err)
	}
	if _, waited, err := p.Get(t.Context(), time.Now().Add(10*time.Millisecond)); !errors.Is(err, os.ErrDeadlineExceeded) || waited <= 0 {
		t.Errorf("Get at the cap past its deadline: %v after waiting %v, want os.ErrDeadlineExceeded after a wait", err, waited)
	}

	got := getLater(t, p, later)
	waitFor(t, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return len(p.waiters) == 1 })
	p.Put(held)
	if c := <-got; c != held || dials.n.Load() != 1 {
		t.Errorf("a waiter got %p (put back: %p) after %d dials; want the connection put back, 1 dial", c, held, dials.n.Load())
	}

	got = getLater(t, p, later)
	waitFor(t, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return len(p.waiters) == 1 })
	held.Close()
	held.Close() // a second Close frees nothing more
	c := <-got
	if c == nil || c == held || dials.n.Load() != 2 {
		t.Errorf("a waiter got %p after a Close and %d dials; want a new connection, 2 dials", c, dials.n.Load())
	}
	if len(p.slots) != 1 {
		t.Errorf("%d slots taken with one connection open, want 1", len(p.slots))
	}
	c.Close()
}

// getLater calls p.Get in a goroutine; the channel gets its connection.
func getLater(t *testing.T, p *Pool, deadline time.Time) <-chan *Conn {
	got := make(chan *Conn, 1)
	go func() {
		c, _, err := p.Get(t.Context(), deadline)
		if err != nil {
			t.Error(err)
		}
		got <- c
	}()
	return got
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

// Waiters that give up while connections are put back lose none of them:
// once every connection is back and the pool closed, every slot is free.
func TestPoolGivingUpLosesNoConnection(t *testing.T) {
	t.Parallel()
	addr, _ := slowPathServer(t)
	p := NewPool(addr, PoolOptions{MaxIdle: 2, MaxConns: 2})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				deadline := time.Now().Add(time.Duration((g+i)%3) * 100 * time.Microsecond) // many give up
				c, _, err := p.Get(t.Context(), deadline)
				if err != nil {
					continue
				}
				p.Put(c)
			}
		})
	}
	wg.Wait()
	p.Close()
	if n := len(p.slots); n != 0 {
		t.Errorf("%d slots still taken with every connection back and the pool closed, want 0", n)
	}
}

// A connection put back just before a Get at the cap starts to wait is
// not left idle while the Get waits for another: with one connection and
// two callers taking turns, no Get runs out of its time.
func TestPoolWaiterFindsAConnectionPutBack(t *testing.T) {
	t.Parallel()
	addr, _ := slowPathServer(t)
	p := NewPool(addr, PoolOptions{MaxConns: 1})
	defer p.Close()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range 2000 {
				c, _, err := p.Get(t.Context(), time.Now().Add(time.Second))
				if err != nil {
					t.Errorf("Get with one connection and two callers: %v", err)
					return
				}
				p.Put(c)
			}
		})
	}
	wg.Wait()
}
