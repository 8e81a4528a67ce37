package h1

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// readBufferSize is a connection's read buffer to start with: enough for
// most answers' heads, small enough for 10,000 connections. A longer
// header line grows it, up to MaxLine.
const readBufferSize = 2 << 10

// Conn is one connection of a Pool, carrying one request at a time.
type Conn struct {
	nc        net.Conn
	r         *Reader
	raw       syscall.RawConn // the TCP socket, for the idle check; nil if unknown
	peek      func(fd uintptr) bool
	idleSince time.Time
	peekBuf   [1]byte
	peekOpen  bool

	// Cancellation: a context.AfterFunc on the last cancellable context
	// seen (watched is its Done channel: contexts with one cancel
	// alike, and channels always compare), kept while the calls on this
	// connection keep coming with it, so that a run's long-lived context
	// costs one registration per connection, not one per call. active is
	// the generation of the call in flight that the context may cancel.
	watched <-chan struct{}
	stop    func() bool
	gen     uint64
	mu      sync.Mutex
	active  uint64
	aborted bool
	closed  bool
	// deadline is the deadline last set on nc, when deadlineSet (an
	// abort's leaves it unknown).
	deadline    time.Time
	deadlineSet bool
	// release, when set, frees the connection's slot in a capped pool
	// on its first Close.
	release func()
}

func newConn(nc net.Conn) *Conn {
	c := &Conn{nc: nc, r: NewReader(nc, readBufferSize)}
	c.raw = rawConn(nc)
	c.peek = c.peekFD
	return c
}

// rawConn finds the socket under nc (through TLS and wrappers that have a
// NetConn method).
func rawConn(nc net.Conn) syscall.RawConn {
	for range 4 {
		if sc, ok := nc.(syscall.Conn); ok {
			raw, err := sc.SyscallConn()
			if err != nil {
				return nil
			}
			return raw
		}
		u, ok := nc.(interface{ NetConn() net.Conn })
		if !ok {
			return nil
		}
		nc = u.NetConn()
	}
	return nil
}

// alive reports whether an idle connection is still open and silent: a
// server that closed it, or sent anything unasked, makes it useless.
func (c *Conn) alive() bool {
	if c.r.Buffered() > 0 {
		return false
	}
	if c.raw == nil {
		return true
	}
	c.peekOpen = false
	if err := c.raw.Read(c.peek); err != nil {
		return false
	}
	return c.peekOpen
}

// aLongTimeAgo is a deadline in the past: setting it wakes any read or
// write of the connection at once.
var aLongTimeAgo = time.Unix(1, 0)

// ErrTimeout: the request's deadline passed before its answer was read.
var ErrTimeout = fmt.Errorf("h1: the request's deadline passed: %w", context.DeadlineExceeded)

// RoundTrip writes req (a whole HTTP/1.1 request) and reads the answer
// into resp, discarding its body, by deadline; ctx cancels it midway,
// through the connection's deadline. The request is written once: an
// error means the connection must be closed, never that the request may
// be sent again. head says req is a HEAD.
func (c *Conn) RoundTrip(ctx context.Context, deadline time.Time, req []byte, head bool, resp *Response) error {
	c.watch(ctx)
	err := ctx.Err()
	if err == nil {
		err = c.setDeadline(deadline)
	}
	if err == nil {
		_, err = c.nc.Write(req)
	}
	if err == nil {
		err = ReadResponse(c.r, resp, head)
	}
	c.mu.Lock()
	c.active = 0
	aborted := c.aborted
	c.mu.Unlock()
	switch {
	case err == nil:
		return nil
	case aborted || ctx.Err() != nil:
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return context.Canceled
	case errors.Is(err, os.ErrDeadlineExceeded):
		return ErrTimeout
	}
	return err
}

// setDeadline sets the call's deadline unless the call was cut off
// already: under the lock abort takes, so that a cancellation that came
// between watch and now is not overwritten by the later deadline (the
// call would then wait for its whole timeout).
//
// The deadline is coarsened (see coarseDeadline), and left alone when the
// connection has it already: the calls that follow one another on a
// connection mostly share one, and its timers are not reset for each.
func (c *Conn) setDeadline(deadline time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aborted {
		return context.Canceled
	}
	if !deadline.IsZero() {
		deadline = coarseDeadline(deadline)
	}
	if c.deadlineSet && c.deadline.Equal(deadline) {
		return nil
	}
	c.deadline, c.deadlineSet = deadline, true
	return c.nc.SetDeadline(deadline)
}

// coarseDeadline rounds d up to a grid of about a thousandth of the time
// left until it (a power of two nanoseconds): a call's deadline comes late
// by at most 0.1% of its time (30 ms of a 30 s timeout, 50 µs of a 50 ms
// one, within what the runtime's timers are late anyway), never early.
// Under a millisecond left, d is kept as it is.
func coarseDeadline(d time.Time) time.Time {
	left := time.Until(d)
	if left < time.Millisecond {
		return d
	}
	grid := int64(1) << (bits.Len64(uint64(left>>10)) - 1)
	ns := d.UnixNano()
	return time.Unix(0, (ns+grid-1)/grid*grid)
}

// watch lets ctx cancel the call about to start.
func (c *Conn) watch(ctx context.Context) {
	active := uint64(0) // nothing cancels the call: the deadline alone ends it
	if done := ctx.Done(); done != nil {
		if done != c.watched {
			if c.stop != nil {
				c.stop()
			}
			c.gen++
			gen := c.gen
			c.watched = done
			c.stop = context.AfterFunc(ctx, func() { c.abort(gen) })
		}
		active = c.gen
	}
	c.mu.Lock()
	c.active, c.aborted = active, false
	c.mu.Unlock()
}

// abort cuts the call of generation gen off, if it is still in flight.
func (c *Conn) abort(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active == gen && !c.closed {
		c.aborted = true
		c.deadlineSet = false
		_ = c.nc.SetDeadline(aLongTimeAgo)
	}
}

// Close closes the connection and drops its context registration.
func (c *Conn) Close() {
	if c.stop != nil {
		c.stop()
		c.stop, c.watched = nil, nil
	}
	c.mu.Lock()
	first := !c.closed
	c.closed = true
	c.mu.Unlock()
	_ = c.nc.Close()
	if first && c.release != nil {
		c.release()
	}
}
