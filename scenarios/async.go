package scenarios

import (
	"net"
	"strings"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

// Receiver is the run's webhook receiver, which takes the completion
// callbacks of asynchronous calls (completion: {mode: callback}). fanbench
// starts it on loopback for each strategy; for a real upstream that must
// call back to this machine, Listen and URL say where it listens and the
// URL the upstream is given.
type Receiver struct {
	// Listen is HOST:PORT; 127.0.0.1 and a free port when empty.
	Listen string `yaml:"listen" json:"listen,omitempty"`
	// URL is the callback URL sent to upstreams (Fanbench-Callback): a
	// tunnel or proxy in front of Listen; the listener's own when empty.
	URL string `yaml:"url" json:"url,omitempty"`
	// Signature is how events are signed.
	Signature Signature `yaml:"signature" json:"signature,omitzero"`
}

// Signature is the webhook signature scheme: the header holding
// "t=UNIX,v1=HEX" (HMAC-SHA256 of "UNIX.BODY" under Secret) and how old
// a timestamp may be.
type Signature struct {
	// Header is Fanbench-Signature when empty.
	Header string `yaml:"header" json:"header,omitempty"`
	// Secret is the shared secret, usually ${ENV}; the mocks' default
	// when empty. It is kept out of every output.
	Secret string `yaml:"secret" json:"secret,omitempty"`
	// Tolerance is 5m when 0.
	Tolerance units.Duration `yaml:"tolerance" json:"tolerance,omitempty"`
}

// ReceiverOptions returns the receiver's options in force: the file's,
// or the defaults.
func (s *Scenario) ReceiverOptions() strategies.ReceiverOptions {
	r := s.Receiver
	if r == nil {
		return strategies.ReceiverOptions{}
	}
	return strategies.ReceiverOptions{Listen: r.Listen, URL: r.URL, Header: r.Signature.Header,
		Secret: r.Signature.Secret, Tolerance: r.Signature.Tolerance.D()}
}

// realCallbacks reports whether a call to a real upstream (not a mock)
// completes by callback.
func (s *Scenario) realCallbacks() bool {
	for _, c := range s.Operation.Calls {
		if c.Completion != nil && c.Completion.Mode == strategies.CompletionCallback {
			if up, ok := s.Upstreams.Find(c.Upstream); ok && up.Mock == nil {
				return true
			}
		}
	}
	return false
}

// NeedsReceiver reports whether a call completes by callback.
func (s *Scenario) NeedsReceiver() bool {
	for _, c := range s.Operation.Calls {
		if c.Completion != nil && c.Completion.Mode == strategies.CompletionCallback {
			return true
		}
	}
	return false
}

// asyncSecrets are the webhook secrets the file names.
func (s *Scenario) asyncSecrets() []string {
	var out []string
	if s.Receiver != nil && s.Receiver.Signature.Secret != "" {
		out = append(out, s.Receiver.Signature.Secret)
	}
	for _, u := range s.Upstreams {
		if u.Mock != nil && u.Mock.Async != nil && u.Mock.Async.Secret != "" {
			out = append(out, u.Mock.Async.Secret)
		}
	}
	return out
}

// redactAsync hides the webhook secrets of cp, whatever their length.
func redactAsync(cp *Scenario) {
	if cp.Receiver != nil && cp.Receiver.Signature.Secret != "" {
		r := *cp.Receiver
		r.Signature.Secret = Redacted
		cp.Receiver = &r
	}
	for i := range cp.Upstreams {
		u := &cp.Upstreams[i]
		if u.Mock != nil && u.Mock.Async != nil && u.Mock.Async.Secret != "" {
			m, a := *u.Mock, *u.Mock.Async
			a.Secret = Redacted
			m.Async = &a
			u.Mock = &m
		}
	}
}

// completion checks a call's completion against its upstream: a mock must
// complete that way.
func (c *checker) completion(call *Call, path string, us Upstreams) {
	comp := call.Completion
	if comp == nil {
		return
	}
	for _, e := range draws.FieldErrors(comp.Validate()) {
		c.fieldError(path+".completion", e)
	}
	up, ok := us.Find(call.Upstream)
	if !ok || up.Mock == nil || comp.Mode == "" {
		return
	}
	switch a := up.Mock.Async; {
	case a == nil:
		c.addf(path+".completion", "upstream %s answers at once: give its mock async: {mode: %s, completion: 100ms}, or leave completion out",
			up.Name, comp.Mode)
	case a.Mode != "" && a.Mode != comp.Mode:
		c.addf(path+".completion.mode", "%s, but upstream %s completes by %s (its mock's async.mode); allowed: %s",
			comp.Mode, up.Name, a.Mode, a.Mode)
	}
}

// receiver checks the receiver's settings, that the callback-mode mocks
// sign as it verifies, and that a real upstream is given a URL it can
// call back to.
func (c *checker) receiver(s *Scenario) {
	r, us := s.Receiver, s.Upstreams
	for i := range us {
		c.mockSignature(&us[i], "upstreams."+us[i].Name, r)
	}
	if r == nil {
		return
	}
	if r.Listen != "" {
		host, _, err := net.SplitHostPort(r.Listen)
		switch ip := net.ParseIP(host); {
		case err != nil:
			c.addf("receiver.listen", "%q is not HOST:PORT, such as listen: 127.0.0.1:9000", r.Listen)
		case r.URL == "" && (host == "" || ip != nil && ip.IsUnspecified()) && s.realCallbacks(): // every interface
			c.addf("receiver.url", "%s; a real upstream cannot call back to %s: give the address it can reach, such as url: http://HOST%s/callbacks",
				c.missing("receiver.url"), r.Listen, r.Listen[strings.LastIndex(r.Listen, ":"):])
		}
	}
	if r.URL != "" {
		c.url(r.URL, "receiver.url")
	}
	if h := r.Signature.Header; h != "" && !draws.ValidHeaderName(h) {
		c.addf("receiver.signature.header", "%q is not a header name, such as header: Fanbench-Signature", h)
	}
	if r.Signature.Tolerance < 0 || (r.Signature.Tolerance > 0 && r.Signature.Tolerance.D() < time.Second) {
		c.addf("receiver.signature.tolerance", "%v; allowed: 1s or more, such as tolerance: 5m", r.Signature.Tolerance)
	}
}

// MockConfig is the Config an in-process mock of up runs: the file's,
// signing its callbacks as the receiver checks them (its header and
// secret) where the mock names none of its own, so that they verify.
func (s *Scenario) MockConfig(up *Upstream) mockupstream.Config {
	m := *up.Mock
	if m.Async == nil || s.Receiver == nil {
		return m
	}
	a := *m.Async
	if a.Secret == "" {
		a.Secret = s.Receiver.Signature.Secret
	}
	if a.Header == "" {
		a.Header = s.Receiver.Signature.Header
	}
	m.Async = &a
	return m
}

// mockSignature checks that a callback-mode mock of up signs as the
// receiver verifies: a header or secret of its own that differs from the
// receiver's would have every callback refused.
func (c *checker) mockSignature(up *Upstream, path string, r *Receiver) {
	if up.Mock == nil || up.Mock.Async == nil || up.Mock.Async.Mode != mockupstream.AsyncCallback {
		return
	}
	a := up.Mock.Async
	var want Signature
	if r != nil {
		want = r.Signature
	}
	if want.Header == "" {
		want.Header = draws.HeaderSignature
	}
	if a.Header != "" && !strings.EqualFold(a.Header, want.Header) {
		c.addf(path+".mock.async.header", "%s, but the receiver reads the signature in %s (receiver.signature.header): every callback would be refused; allowed: %s, or leave it out",
			a.Header, want.Header, want.Header)
	}
	if a.Secret != "" && a.Secret != want.Secret && !(want.Secret == "" && a.Secret == draws.DefaultWebhookSecret) {
		c.addf(path+".mock.async.secret", "differs from the receiver's (receiver.signature.secret): every callback would be refused; give both the same secret, or leave this one out")
	}
}
