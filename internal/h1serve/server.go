package h1serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves its fallback's Handler on a listener: plain HTTP/1.1
// requests itself, every other connection through the fallback.
type Server struct {
	fallback *http.Server
	base     context.Context
	handoff  *handoffListener

	mu       sync.Mutex
	conns    map[*conn]struct{}
	shutdown atomic.Bool    // set under mu; read without it by every request
	wg       sync.WaitGroup // the connections' goroutines and Serve's
}

// New is a Server for fallback, whose Handler, ReadHeaderTimeout,
// IdleTimeout, MaxHeaderBytes and ErrorLog it uses too. base is the parent
// of every request's context (the fallback's BaseContext should give it
// too); its end ends the requests in flight.
func New(fallback *http.Server, base context.Context) *Server {
	return &Server{fallback: fallback, base: base, conns: map[*conn]struct{}{}}
}

// Serve accepts connections on ln until ln is closed or Shutdown is
// called, and returns then; the fallback serves what is handed to it until
// Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	s.handoff = newHandoffListener(ln.Addr())
	s.wg.Add(2)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		_ = s.fallback.Serve(s.handoff) // ErrServerClosed at Shutdown
	}()
	defer s.wg.Done()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.shutdown.Load() {
				return err
			}
			// Out of descriptors, say: wait and try again, as net/http
			// does, rather than stop serving.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		c := newConn(s, nc)
		s.mu.Lock()
		if s.shutdown.Load() {
			s.mu.Unlock()
			_ = nc.Close()
			continue
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go c.serve()
	}
}

// Shutdown stops the connections served here once their request in
// flight is answered (at once for the idle ones), shuts the fallback down
// with ctx, and waits for the connections and Serve to end, closing those
// still open when ctx ends (the fallback's with its Close, whose error it
// returns). The listener given to Serve is the caller's to close first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown.Store(true)
	for c := range s.conns {
		c.stopWhenIdle()
	}
	s.mu.Unlock()
	var err error
	if s.fallback.Shutdown(ctx) != nil {
		err = s.fallback.Close() // a client too slow to read its answer
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			_ = c.nc.Close()
		}
		s.mu.Unlock()
		<-done
	}
	return err
}

// forget ends c's membership of the server.
func (s *Server) forget(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// shuttingDown reports whether Shutdown has begun.
func (s *Server) shuttingDown() bool { return s.shutdown.Load() }

// handOff gives nc, with the bytes already read from it, to the fallback.
func (s *Server) handOff(nc net.Conn, read []byte) {
	pc := &prefixConn{Conn: nc, pending: append([]byte(nil), read...)}
	if !s.handoff.put(pc) {
		_ = nc.Close()
	}
}

// handoffListener is the fallback's listener: it accepts the connections
// handed over.
type handoffListener struct {
	addr   net.Addr
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *handoffListener) put(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.closed:
		return false
	}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }

// prefixConn is a connection whose first bytes were read already.
type prefixConn struct {
	net.Conn
	pending []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// SetLinger passes SO_LINGER to a TCP connection, so that a handler can
// still reset a connection handed over.
func (c *prefixConn) SetLinger(sec int) error {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		return tc.SetLinger(sec)
	}
	return errors.ErrUnsupported
}
