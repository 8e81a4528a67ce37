package strategies

import (
	"fmt"

	"github.com/fanbench/fanbench/internal/suggest"
)

// Client is the HTTP client implementation the calls to an upstream go
// through.
type Client string

const (
	// ClientFast is fanbench's own HTTP/1.1 client (internal/h1): no
	// goroutine per request or connection, nothing allocated per request
	// once connected. The default.
	ClientFast Client = "fast"
	// ClientStd is net/http's Transport: for what the fast client does
	// not do (HTTP/2, proxies, user info in URLs), and the client of every
	// call under HTTPOptions.Breakdown, whose phases come from
	// net/http/httptrace.
	ClientStd Client = "std"
)

// Clients lists the clients, the default first.
var Clients = []string{string(ClientFast), string(ClientStd)}

// Check returns the problem of an unknown client, or "".
func (c Client) Check() string {
	switch c {
	case "", ClientFast, ClientStd:
		return ""
	}
	return fmt.Sprintf("unknown client %q%s", string(c), suggest.Choices(string(c), "allowed", Clients))
}
