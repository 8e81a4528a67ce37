package strategies

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/fanbench/fanbench/mockupstream"
)

// HTTPOptions tune an HTTPCaller.
type HTTPOptions struct {
	// Timeout bounds one call, from sending to the end of the body.
	// Default 30s.
	Timeout time.Duration
	// MaxIdleConnsPerHost is how many keep-alive connections to one upstream
	// are kept for reuse. Set it to at least the calls in flight to one
	// upstream, or connections churn. Default 1024.
	MaxIdleConnsPerHost int
}

// HTTPCaller makes a call as one HTTP request, over a client tuned for load
// generation: keep-alive, a large idle pool per host, no proxy, no
// compression, and a deadline on every call. It is safe for concurrent use.
type HTTPCaller struct {
	client    *http.Client
	transport *http.Transport
	timeout   time.Duration
}

// NewHTTPCaller returns a caller with its own connection pool.
func NewHTTPCaller(o HTTPOptions) *HTTPCaller {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = 1024
	}
	t := &http.Transport{
		// Never through a proxy from the environment: the numbers would be the proxy's.
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          0, // no global cap; the per-host cap applies
		MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
	}
	return &HTTPCaller{
		client:    &http.Client{Transport: t},
		transport: t,
		timeout:   o.Timeout,
	}
}

// Close releases the caller's idle connections.
func (c *HTTPCaller) Close() { c.transport.CloseIdleConnections() }

// Call sends one request and reads its whole answer. The seq and attempt go
// in the Fanbench-Seq and Fanbench-Attempt headers, which mock upstreams use
// to pair their draws.
func (c *HTTPCaller) Call(ctx context.Context, seq uint64, call *Call) CallResult {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res := CallResult{Attempts: 1}
	req, err := http.NewRequestWithContext(ctx, call.Method, call.URL(seq), nil)
	if err != nil {
		res.Failure, res.Err = FailureTransport, err
		return res
	}
	// Direct map writes: the keys are already canonical.
	req.Header[mockupstream.HeaderSeq] = []string{strconv.FormatUint(seq, 10)}
	req.Header[mockupstream.HeaderAttempt] = attemptZero
	start := time.Now()
	resp, err := c.client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	res.Latency = time.Since(start)
	if err != nil {
		res.Failure, res.Err = classify(ctx, err), err
		return res
	}
	res.Status = resp.StatusCode
	return res
}

var attemptZero = []string{"0"}

// classify names the kind of a transport error.
func classify(ctx context.Context, err error) Failure {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return FailureTimeout
	case errors.Is(err, context.Canceled):
		return FailureCanceled
	case errors.Is(err, syscall.ECONNREFUSED):
		return FailureRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return FailureReset
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return FailureTimeout
	}
	return FailureTransport
}
