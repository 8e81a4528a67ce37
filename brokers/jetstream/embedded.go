package jetstream

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

	"github.com/fanbench/fanbench/strategies"
)

// Limits of the embedded server's JetStream: without them it claims 75% of
// the machine's memory and disk.
const (
	embeddedMaxMemory = 1 << 30
	embeddedMaxStore  = 8 << 30
	readyTimeout      = 10 * time.Second
)

// embedded is a NATS server in this process, with JetStream, listening on
// no port unless the spec asks for a loopback one. Its in-process
// connections go through InProcessConn, which always reaches the current
// server, so that a client reconnects to the server that replaces it after
// a restart.
type embedded struct {
	opts     *server.Options
	storeDir string
	keep     bool

	mu       sync.Mutex
	srv      *server.Server
	restarts int
}

// startEmbedded starts a server for spec, its store in a new temporary
// directory.
func startEmbedded(spec strategies.BrokerSpec) (*embedded, error) {
	dir, err := os.MkdirTemp("", "fanbench-jetstream-*")
	if err != nil {
		return nil, fmt.Errorf("embedded nats-server: store directory: %w", err)
	}
	opts := &server.Options{
		ServerName:         "fanbench-embedded",
		JetStream:          true,
		StoreDir:           dir,
		JetStreamMaxMemory: embeddedMaxMemory,
		JetStreamMaxStore:  embeddedMaxStore,
		SyncAlways:         spec.SyncAlways,
		NoSigs:             true,
		NoLog:              true,
		DontListen:         spec.Listen == "",
	}
	if spec.Listen != "" {
		host, port, err := net.SplitHostPort(spec.Listen)
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("embedded nats-server: listen %q: %w", spec.Listen, err)
		}
		opts.Host = host
		if opts.Port, err = strconv.Atoi(port); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("embedded nats-server: listen %q: port: %w", spec.Listen, err)
		}
		if opts.Port == 0 {
			opts.Port = server.RANDOM_PORT
		}
	}
	e := &embedded{opts: opts, storeDir: dir, keep: spec.Keep}
	if err := e.start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if spec.Listen != "" {
		// A restart listens on the port the first start got.
		e.opts.Port = e.srv.Addr().(*net.TCPAddr).Port
	}
	return e, nil
}

// start starts a server with e's options.
func (e *embedded) start() error {
	srv, err := server.NewServer(e.opts)
	if err != nil {
		return fmt.Errorf("embedded nats-server: %w", err)
	}
	under(labelServer, func() { go srv.Start() })
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return fmt.Errorf("embedded nats-server: not ready after %v", readyTimeout)
	}
	e.mu.Lock()
	e.srv = srv
	e.mu.Unlock()
	return nil
}

// InProcessConn opens a connection to the current server, for nats.go's
// InProcessServer option; it fails while the server restarts, and nats.go
// tries again.
func (e *embedded) InProcessConn() (net.Conn, error) {
	e.mu.Lock()
	srv := e.srv
	e.mu.Unlock()
	if srv == nil {
		return nil, errors.New("embedded nats-server is restarting")
	}
	var conn net.Conn
	var err error
	under(labelServer, func() { conn, err = srv.InProcessConn() })
	return conn, err
}

// url is the server's client URL when it listens; "" when it does not.
func (e *embedded) url() string {
	if e.opts.DontListen {
		return ""
	}
	u := url.URL{Scheme: "nats", Host: net.JoinHostPort(e.opts.Host, strconv.Itoa(e.opts.Port))}
	return u.String()
}

// restart shuts the server down and starts another on the same store, as
// a crash and a restart would (the file store survives; a memory store
// does not).
func (e *embedded) restart() error {
	e.mu.Lock()
	srv := e.srv
	e.srv = nil
	e.restarts++
	e.mu.Unlock()
	srv.Shutdown()
	srv.WaitForShutdown()
	return e.start()
}

// version is the server's version.
func (e *embedded) version() string { return server.VERSION }

// stop shuts the server down and removes its store, unless kept.
func (e *embedded) stop() {
	e.mu.Lock()
	srv := e.srv
	e.srv = nil
	e.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
	if !e.keep {
		_ = os.RemoveAll(e.storeDir)
	}
}

// restartCount is how many times the server was restarted.
func (e *embedded) restartCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.restarts
}
