package h1

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"sync"
	"time"
)

// Dialer opens a connection, as net.Dialer.DialContext.
type Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

// Pool holds the keep-alive connections to one address. It is safe for
// concurrent use; a Conn taken from it serves one request at a time.
type Pool struct {
	addr string
	conf *tls.Config // nil: plain TCP
	dial Dialer
	// maxIdle bounds the connections kept between requests.
	maxIdle int
	// checkAfter is how long a connection may sit idle before it is
	// checked (one non-blocking peek) for a close by the server before
	// reuse; idleTimeout how long before it is closed instead.
	checkAfter, idleTimeout time.Duration
	// slots holds a token for each connection open (idle or in use) when
	// the connections are capped; nil when they are not.
	slots chan struct{}

	mu      sync.Mutex
	idle    []*Conn // a stack: the most recently used on top
	waiters []chan *Conn
	closed  bool
}

// PoolOptions tune a Pool.
type PoolOptions struct {
	// TLS, when set, makes the connections TLS with this configuration
	// (its ServerName defaults to the address's host; it is offered
	// HTTP/1.1 only).
	TLS     *tls.Config
	Dial    Dialer
	MaxIdle int
	// MaxConns caps the connections open at once, idle or in use (0: no
	// cap). A Get at the cap waits, within its context and deadline, for a
	// connection to come back or close, as net/http's MaxConnsPerHost.
	MaxConns int
}

// NewPool returns a pool of connections to addr (host:port).
func NewPool(addr string, o PoolOptions) *Pool {
	p := &Pool{addr: addr, dial: o.Dial, maxIdle: max(o.MaxIdle, 1),
		checkAfter: 100 * time.Millisecond, idleTimeout: 90 * time.Second}
	if p.dial == nil {
		p.dial = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	if o.MaxConns > 0 {
		p.slots = make(chan struct{}, o.MaxConns)
	}
	if o.TLS != nil {
		conf := o.TLS.Clone()
		if conf.ServerName == "" {
			if host, _, err := net.SplitHostPort(addr); err == nil {
				conf.ServerName = host
			}
		}
		conf.NextProtos = []string{"http/1.1"}
		p.conf = conf
	}
	return p
}

// Get returns an idle connection that is still open, or dials a new one
// (and shakes hands, for TLS) bounded by ctx and deadline; at the cap of
// connections it waits for one to come back or close, and waited is how
// long (0 when it did not wait).
func (p *Pool) Get(ctx context.Context, deadline time.Time) (c *Conn, waited time.Duration, err error) {
	if c := p.takeIdle(); c != nil {
		return c, 0, nil
	}
	if p.slots == nil {
		c, err := p.connect(ctx, deadline)
		return c, 0, err
	}
	select {
	case p.slots <- struct{}{}:
		c, err := p.connectInSlot(ctx, deadline)
		return c, 0, err
	default:
		return p.wait(ctx, deadline)
	}
}

// takeIdle returns the most recently used idle connection still open, or
// nil.
func (p *Pool) takeIdle() *Conn {
	now := time.Now()
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			return nil
		}
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		idle := now.Sub(c.idleSince)
		if idle < p.checkAfter || (idle < p.idleTimeout && c.alive()) {
			return c
		}
		c.Close() // closed by the server while idle, or idle too long
	}
}

// wait waits, at the cap, for a connection that Put hands over or for a
// slot that a Close frees, first come first served.
func (p *Pool) wait(ctx context.Context, deadline time.Time) (*Conn, time.Duration, error) {
	start := time.Now()
	handed := make(chan *Conn, 1)
	p.mu.Lock()
	if len(p.idle) > 0 {
		// Put back after Get looked and before this waiter was listed:
		// no Put would hand it over.
		p.mu.Unlock()
		c, waited, err := p.Get(ctx, deadline)
		return c, waited + time.Since(start), err
	}
	p.waiters = append(p.waiters, handed)
	p.mu.Unlock()
	var expired <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		expired = t.C
	}
	select {
	case c := <-handed:
		return c, time.Since(start), nil
	case p.slots <- struct{}{}:
		waited := time.Since(start)
		p.stopWaiting(handed)
		c, err := p.connectInSlot(ctx, deadline)
		return c, waited, err
	case <-ctx.Done():
		p.stopWaiting(handed)
		return nil, time.Since(start), ctx.Err()
	case <-expired:
		p.stopWaiting(handed)
		return nil, time.Since(start), os.ErrDeadlineExceeded
	}
}

// stopWaiting takes handed off the waiters; a connection Put handed over
// meanwhile goes back to the pool.
func (p *Pool) stopWaiting(handed chan *Conn) {
	p.mu.Lock()
	for i, w := range p.waiters {
		if w == handed {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
	select {
	case c := <-handed:
		p.Put(c)
	default:
	}
}

// connectInSlot dials a connection in the slot the caller took, which its
// Close frees (or the dial's failure).
func (p *Pool) connectInSlot(ctx context.Context, deadline time.Time) (*Conn, error) {
	c, err := p.connect(ctx, deadline)
	if err != nil {
		<-p.slots
		return nil, err
	}
	c.release = p.release
	return c, nil
}

// release frees a closed connection's slot.
func (p *Pool) release() { <-p.slots }

// connect dials a new connection.
func (p *Pool) connect(ctx context.Context, deadline time.Time) (*Conn, error) {
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	nc, err := p.dial(dctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	if p.conf != nil {
		tc := tls.Client(nc, p.conf)
		if err := tc.HandshakeContext(dctx); err != nil {
			_ = nc.Close()
			return nil, err
		}
		nc = tc
	}
	return newConn(nc), nil
}

// Put gives c back for reuse, or closes it when the pool is full or
// closed.
func (p *Pool) Put(c *Conn) {
	c.idleSince = time.Now()
	p.mu.Lock()
	if len(p.waiters) > 0 && !p.closed {
		// Sent under the lock (the channel is buffered, so it never
		// blocks): a waiter that gives up takes itself off the list under
		// the same lock, then finds the connection if it was handed over.
		p.waiters[0] <- c
		p.waiters = p.waiters[1:]
		p.mu.Unlock()
		return
	}
	if p.closed || len(p.idle) >= p.maxIdle {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// Close closes the idle connections, and the others as they are put back;
// a connection got after it serves its request and is closed too (as
// net/http's CloseIdleConnections leaves its Transport usable).
func (p *Pool) Close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		c.Close()
	}
}
