package h1

import (
	"context"
	"crypto/tls"
	"net"
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

	mu     sync.Mutex
	idle   []*Conn // a stack: the most recently used on top
	closed bool
}

// PoolOptions tune a Pool.
type PoolOptions struct {
	// TLS, when set, makes the connections TLS with this configuration
	// (its ServerName defaults to the address's host; it is offered
	// HTTP/1.1 only).
	TLS     *tls.Config
	Dial    Dialer
	MaxIdle int
}

// NewPool returns a pool of connections to addr (host:port).
func NewPool(addr string, o PoolOptions) *Pool {
	p := &Pool{addr: addr, dial: o.Dial, maxIdle: max(o.MaxIdle, 1),
		checkAfter: 100 * time.Millisecond, idleTimeout: 90 * time.Second}
	if p.dial == nil {
		p.dial = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
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
// (and shakes hands, for TLS) bounded by ctx and deadline.
func (p *Pool) Get(ctx context.Context, deadline time.Time) (*Conn, error) {
	now := time.Now()
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			break
		}
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		idle := now.Sub(c.idleSince)
		if idle < p.checkAfter || (idle < p.idleTimeout && c.alive()) {
			return c, nil
		}
		c.Close() // closed by the server while idle, or idle too long
	}
	return p.connect(ctx, deadline)
}

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
