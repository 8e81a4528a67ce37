package natsembed

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Limits of the embedded server's JetStream: without them it claims 75% of
// the machine's memory and disk.
const (
	maxMemory    = 1 << 30
	maxStore     = 8 << 30
	readyTimeout = 10 * time.Second
)

// Options say how to start a server.
type Options struct {
	// Name is the server's name; "fanbench-embedded" when empty.
	Name string
	// Listen is a host:port to listen on for other processes (port 0 for
	// a free one); "" listens on no port: in-process connections only.
	Listen string
	// SyncAlways makes the file store fsync every write.
	SyncAlways bool
	// Keep leaves the store directory when the server stops.
	Keep bool
	// Under, when set, runs the server's start and its in-process
	// connections (a pprof label on the goroutines they start, say).
	Under func(func())
}

// Server is a NATS server in this process, its store in a temporary
// directory. Its in-process connections go through InProcessConn, which
// always reaches the current server, so that a client reconnects to the
// server that replaces it after Restart. Safe for concurrent use.
type Server struct {
	opts     *server.Options
	storeDir string
	keep     bool
	under    func(func())

	mu       sync.Mutex
	srv      *server.Server
	restarts int
}

// Start starts a server as o says.
func Start(o Options) (*Server, error) {
	dir, err := os.MkdirTemp("", "fanbench-jetstream-*")
	if err != nil {
		return nil, fmt.Errorf("embedded nats-server: store directory: %w", err)
	}
	name := o.Name
	if name == "" {
		name = "fanbench-embedded"
	}
	opts := &server.Options{
		ServerName:         name,
		JetStream:          true,
		StoreDir:           dir,
		JetStreamMaxMemory: maxMemory,
		JetStreamMaxStore:  maxStore,
		SyncAlways:         o.SyncAlways,
		NoSigs:             true,
		NoLog:              true,
		DontListen:         o.Listen == "",
	}
	if o.Listen != "" {
		host, port, err := net.SplitHostPort(o.Listen)
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("embedded nats-server: listen %q: %w", o.Listen, err)
		}
		opts.Host = host
		if opts.Port, err = strconv.Atoi(port); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("embedded nats-server: listen %q: port: %w", o.Listen, err)
		}
		if opts.Port == 0 {
			opts.Port = server.RANDOM_PORT
		}
	}
	under := o.Under
	if under == nil {
		under = func(f func()) { f() }
	}
	s := &Server{opts: opts, storeDir: dir, keep: o.Keep, under: under}
	if err := s.start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if o.Listen != "" {
		// A restart listens on the port the first start got.
		s.opts.Port = s.srv.Addr().(*net.TCPAddr).Port
	}
	return s, nil
}

// start starts a server with s's options.
func (s *Server) start() error {
	srv, err := server.NewServer(s.opts)
	if err != nil {
		return fmt.Errorf("embedded nats-server: %w", err)
	}
	s.under(func() { go srv.Start() })
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return fmt.Errorf("embedded nats-server: not ready after %v", readyTimeout)
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	return nil
}

// InProcessConn opens a connection to the current server, for nats.go's
// InProcessServer option; it fails while the server restarts, and nats.go
// tries again.
func (s *Server) InProcessConn() (net.Conn, error) {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil, errors.New("embedded nats-server is restarting")
	}
	var conn net.Conn
	var err error
	s.under(func() { conn, err = srv.InProcessConn() })
	return conn, err
}

// URL is the server's client URL when it listens; "" when it does not.
func (s *Server) URL() string {
	if s.opts.DontListen {
		return ""
	}
	u := url.URL{Scheme: "nats", Host: net.JoinHostPort(s.opts.Host, strconv.Itoa(s.opts.Port))}
	return u.String()
}

// StoreDir is the directory of the server's file store.
func (s *Server) StoreDir() string { return s.storeDir }

// Restart shuts the server down and starts another on the same store, as
// a crash and a restart would (the file store survives; a memory store
// does not).
func (s *Server) Restart() error {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.restarts++
	s.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
	return s.start()
}

// Version is the server's version.
func (s *Server) Version() string { return server.VERSION }

// Stop shuts the server down and removes its store, unless kept. Safe to
// call twice.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
	if !s.keep {
		_ = os.RemoveAll(s.storeDir)
	}
}

// Restarts is how many times the server was restarted.
func (s *Server) Restarts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restarts
}
