package strategies

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
)

// connCounter counts the connections a dialer opened and not yet closed:
// what the caller holds open, for the run's cost. Counting happens once
// per connection, never per request.
type connCounter struct {
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	open atomic.Int64
}

func (c *connCounter) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := c.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c.open.Add(1)
	return &countedConn{Conn: conn, counter: c}, nil
}

// countedConn decrements its counter on its first Close.
type countedConn struct {
	net.Conn
	counter *connCounter
	once    sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.counter.open.Add(-1) })
	return c.Conn.Close()
}

// NetConn returns the connection counted, for a client that looks under it
// (internal/h1's idle check).
func (c *countedConn) NetConn() net.Conn { return c.Conn }

// OpenConns is how many connections the caller holds open now.
func (c *HTTPCaller) OpenConns() int { return int(c.conns.open.Load()) }
