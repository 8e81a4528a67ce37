// Package h1 is a small HTTP/1.1 client for load generation: keep-alive
// connections pooled per address, a request written whole from the
// caller's buffer, and a strict answer parser that keeps the status, the
// few headers a load generator reads (Location, Retry-After, Date,
// Connection) and throws the body away as it reads it. Nothing is
// allocated per request once the connections are open, and no goroutine
// runs besides the caller's.
//
// A request is written exactly once: a connection that fails is closed,
// and the request is never sent again on another. A context cancels a
// request in flight by setting the connection's deadline in the past.
//
//	p := h1.NewPool("127.0.0.1:8080", h1.PoolOptions{MaxIdle: 64})
//	defer p.Close()
//	c, _, err := p.Get(ctx, deadline)
//	if err != nil { … }
//	req := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
//	var resp h1.Response
//	if err := c.RoundTrip(ctx, deadline, req, false, &resp); err != nil {
//		c.Close()
//	} else if resp.Close {
//		c.Close()
//	} else {
//		p.Put(c)
//	}
package h1
