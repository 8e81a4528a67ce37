package strategies

import (
	"context"
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"
)

// Phases is where one HTTP request's time went, traced with
// net/http/httptrace when HTTPOptions.Breakdown is set. DNS, Connect and
// TLS are those of the connection opened for the request (zero on a
// reused connection, and when not done: an IP address needs no lookup,
// plain HTTP no handshake); TTFB runs from the request written to the
// first byte of the answer (the upstream's time plus a round trip); Body
// from that byte to the end of the answer.
type Phases struct {
	// Traced: the request was traced; nothing else is set otherwise.
	Traced bool
	// Reused: the request went on a kept-alive connection.
	Reused                        bool
	DNS, Connect, TLS, TTFB, Body time.Duration
}

// tracer times one request's phases. The Transport may call its hooks
// from the goroutine that dials, even after the request has ended (a
// dial that lost the race to an idle connection), so every field is under
// mu and read once, when the request is done; a tracer serves one request
// only, never reused.
type tracer struct {
	mu                  sync.Mutex
	dnsStart, dnsDone   time.Time
	connStart, connDone time.Time
	tlsStart, tlsDone   time.Time
	wrote, firstByte    time.Time
	reused, got         bool
	out                 Phases // what phases returns a pointer to
}

// withTracer returns ctx with a fresh tracer's hooks. It allocates (the
// trace, its closures, the context values): the cost of --breakdown.
func withTracer(ctx context.Context) (context.Context, *tracer) {
	t := &tracer{}
	at := func(f *time.Time, onlyFirst bool) {
		now := time.Now()
		t.mu.Lock()
		if !onlyFirst || f.IsZero() {
			*f = now
		}
		t.mu.Unlock()
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		DNSStart:             func(httptrace.DNSStartInfo) { at(&t.dnsStart, true) },
		DNSDone:              func(httptrace.DNSDoneInfo) { at(&t.dnsDone, false) },
		ConnectStart:         func(string, string) { at(&t.connStart, true) },
		ConnectDone:          func(string, string, error) { at(&t.connDone, false) },
		TLSHandshakeStart:    func() { at(&t.tlsStart, true) },
		TLSHandshakeDone:     func(tls.ConnectionState, error) { at(&t.tlsDone, false) },
		WroteRequest:         func(httptrace.WroteRequestInfo) { at(&t.wrote, false) },
		GotFirstResponseByte: func() { at(&t.firstByte, false) },
		GotConn: func(info httptrace.GotConnInfo) {
			t.mu.Lock()
			t.got, t.reused = true, info.Reused
			t.mu.Unlock()
		},
	}), t
}

// phases reads the request's phases, its answer having been read by end;
// call it once.
func (t *tracer) phases(end time.Time) *Phases {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := &t.out
	p.Traced, p.Reused = true, t.got && t.reused
	span := func(from, to time.Time) time.Duration {
		if from.IsZero() || to.IsZero() || to.Before(from) {
			return 0
		}
		return to.Sub(from)
	}
	if !p.Reused { // the setup of a connection another request used is not this one's
		p.DNS, p.Connect, p.TLS = span(t.dnsStart, t.dnsDone), span(t.connStart, t.connDone), span(t.tlsStart, t.tlsDone)
	}
	p.TTFB, p.Body = span(t.wrote, t.firstByte), span(t.firstByte, end)
	return p
}
