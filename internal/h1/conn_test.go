package h1

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// slowPathServer answers /fast at once and /slow never (until its
// connection closes); it counts the requests it read.
func slowPathServer(t *testing.T) (addr string, requests func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
			wg.Go(func() {
				r := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(r)
					if err != nil {
						return
					}
					mu.Lock()
					n++
					mu.Unlock()
					if req.URL.Path == "/slow" {
						_, _ = io.Copy(io.Discard, r) // until the client closes
						return
					}
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			})
		}
	})
	return ln.Addr().String(), func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// TestConnCancellation: a context cancelled while its connection is idle
// leaves the connection's next call (with another context) alone; a
// cancelled context stops a call before it is sent; one cancelled in
// flight ends the call at once.
func TestConnCancellation(t *testing.T) {
	t.Parallel()
	addr, requests := slowPathServer(t)
	p := NewPool(addr, PoolOptions{MaxIdle: 4})
	defer p.Close()
	req := func(path string) []byte { return []byte("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n") }
	deadline := time.Now().Add(time.Minute)
	var resp Response

	a, cancelA := context.WithCancel(context.Background())
	c, _, err := p.Get(a, deadline)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RoundTrip(a, deadline, req("/fast"), false, &resp); err != nil || resp.Status != 200 {
		t.Fatalf("first call: %d, %v", resp.Status, err)
	}
	cancelA() // while the connection is idle: nothing to cut
	time.Sleep(10 * time.Millisecond)
	b, cancelB := context.WithCancel(context.Background())
	defer cancelB()
	if err := c.RoundTrip(b, deadline, req("/fast"), false, &resp); err != nil || resp.Status != 200 {
		t.Fatalf("a call after another context's cancel: %d, %v", resp.Status, err)
	}
	if err := c.RoundTrip(a, deadline, req("/fast"), false, &resp); !errors.Is(err, context.Canceled) {
		t.Errorf("a call with a cancelled context: %v, want context.Canceled", err)
	}
	if n := requests(); n != 2 {
		t.Errorf("server read %d requests, want 2 (none for the cancelled call)", n)
	}
	c.Close()

	cctx, cancelC := context.WithCancel(context.Background())
	c, _, err = p.Get(cctx, deadline)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, cancelC)
	start := time.Now()
	if err := c.RoundTrip(cctx, deadline, req("/slow"), false, &resp); !errors.Is(err, context.Canceled) || time.Since(start) > 10*time.Second {
		t.Errorf("a call cancelled in flight: %v after %v, want context.Canceled at once", err, time.Since(start))
	}
	c.Close()

	d, cancelD := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelD()
	c, _, err = p.Get(d, deadline)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RoundTrip(d, deadline, req("/slow"), false, &resp); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a call past its context's deadline: %v, want context.DeadlineExceeded", err)
	}
	c.Close()
	c, _, err = p.Get(context.Background(), time.Now().Add(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RoundTrip(context.Background(), time.Now().Add(50*time.Millisecond), req("/slow"), false, &resp); !errors.Is(err, ErrTimeout) {
		t.Errorf("a call past its own deadline: %v, want ErrTimeout", err)
	}
	c.Close()
}

// A coarsened deadline is never early, late by at most a thousandth of
// the time left, and shared by the deadlines close to it.
func TestCoarseDeadline(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, left := range []time.Duration{time.Microsecond, 500 * time.Microsecond, time.Millisecond, 50 * time.Millisecond, 30 * time.Second, time.Hour} {
		d := now.Add(left)
		got := coarseDeadline(d)
		if got.Before(d) || got.Sub(d) > left/1000 {
			t.Errorf("coarseDeadline(now + %v) = d + %v, want within [d, d + %v]", left, got.Sub(d), left/1000)
		}
		if left < time.Millisecond && !got.Equal(d) {
			t.Errorf("coarseDeadline(now + %v) moved it by %v, want it kept", left, got.Sub(d))
		}
	}
	shared := 0
	for i := range 100 {
		d := now.Add(30*time.Second + time.Duration(i)*10*time.Microsecond)
		if coarseDeadline(d).Equal(coarseDeadline(d.Add(10 * time.Microsecond))) {
			shared++
		}
	}
	if shared < 90 {
		t.Errorf("%d of 100 deadlines 10 µs apart, 30 s away, share their coarse deadline; want most", shared)
	}
}
