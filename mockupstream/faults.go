package mockupstream

import (
	"context"
	"net/http"
)

// malformedReply is what a malformed fault sends: it does not start with
// "HTTP/", so every HTTP/1 client refuses it as a response.
const malformedReply = "FANBENCH MALFORMED REPLY\r\nthis is not an HTTP response\r\n\r\n"

// hang holds the request without a byte of answer until the client
// closes its connection (it gave up) or the server closes. It takes the
// connection over and hands it to a goroutine that only reads it until it
// ends, and returns: net/http's buffers, the request and the handler's stack
// are freed while the hang lasts, so that ten thousand hangs are cheap. The
// request stays in flight, and keeps its capacity slot if it holds one,
// until the hang ends; hang reports whether that goroutine now owns them.
func (s *Server) hang(w http.ResponseWriter, r *http.Request, slot bool) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil { // a host without a connection to take: wait here
		<-r.Context().Done()
		s.faults[FaultHang].Add(1)
		panic(http.ErrAbortHandler) // never an empty 200
	}
	stop := context.AfterFunc(s.base, func() { _ = conn.Close() })
	go func() {
		buf := make([]byte, 64) // bytes sent after the request are dropped
		for {
			if _, err := conn.Read(buf); err != nil {
				break
			}
		}
		stop()
		_ = conn.Close()
		s.faults[FaultHang].Add(1)
		if slot {
			s.gate.release()
		}
		s.inFlight.Add(-1)
	}()
	return true
}

// breakConn takes the connection over from net/http and ends it as fault f
// says: reset closes it with a RST (SO_LINGER 0), empty with a FIN and no
// byte sent, malformed after bytes that are not HTTP. Where the connection
// cannot be taken over (a ResponseRecorder, HTTP/2), it aborts the handler
// with http.ErrAbortHandler, which net/http turns into a closed connection.
func breakConn(w http.ResponseWriter, f Fault) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	switch f {
	case FaultReset:
		if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
			_ = tc.SetLinger(0) // a *net.TCPConn, or one h1serve handed to net/http
		}
	case FaultMalformed:
		_, _ = conn.Write([]byte(malformedReply))
	}
	_ = conn.Close()
}
