// Package h1serve serves an http.Handler over HTTP/1.1 without garbage per
// request, and hands every connection it does not serve simply to a
// net/http Server.
//
// Why: fanbench's mock upstreams usually run in the harness's own process,
// so what they allocate is collected on the harness's time. net/http's
// server allocates about 1.7 KB in 20 objects for each request (the
// request, its header map, its URL, its context, a goroutine for the
// background read, the response's header clone): at 10,000 calls a second
// that was 85% of the process's garbage, and it set how often the
// collector ran and how large the heap had to be (docs/performance.md).
//
// What it does: one goroutine per connection reads requests into a buffer
// it keeps, and reuses one http.Request, one header map and one response
// for every request of the connection. A request's header values share one
// string, the only allocation of a plain request. The answer is buffered
// and sent in one write with its Content-Length, or streamed chunked from
// the first Flush. Hijack, read and write deadlines (through
// http.ResponseController) and Flush work as in net/http.
//
// The request's context ends when the client closes the connection, as in
// net/http, but no goroutine watches the connection until a handler asks
// for the context's Done channel (a handler that never waits pays
// nothing); then a goroutine kept for the connection reads it until the
// handler returns. Unlike net/http's, the context is the connection's: it
// does not end when the handler returns, so a goroutine that outlives its
// handler must not wait on it.
//
// What it hands over: anything but a plain HTTP/1.1 request in origin form
// with a Content-Length body or none (HTTP/1.0, chunked or Expect bodies,
// Upgrade, escaped or odd targets, obsolete line folding, oversized or
// malformed heads). The connection then goes, with the bytes already read,
// to the fallback net/http Server, which answers it and every later
// request on it exactly as net/http does, errors included.
package h1serve
