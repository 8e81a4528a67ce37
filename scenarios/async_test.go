package scenarios_test

import (
	"strings"
	"testing"

	"github.com/fanbench/fanbench/scenarios"
)

// TestAsyncErrors: completion on calls and async on mocks are checked,
// each problem at its line and column.
func TestAsyncErrors(t *testing.T) {
	t.Parallel()
	head := "name: t\nupstreams:\n"
	tail := "strategies: [fanout]\nload: {rate: 10/s, duration: 1s}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"mode mismatch",
			head + "  a: {mock: {async: {mode: poll}}}\noperation:\n  calls: [{upstream: a, completion: {mode: callback}}]\n" + tail,
			`t.yaml:5:44: operation.calls[0].completion.mode: callback, but upstream a completes by poll (its mock's async.mode); allowed: poll`},
		{"mock not async",
			head + "  a: {mock: {latency: 1ms}}\noperation:\n  calls: [{upstream: a, completion: {mode: poll}}]\n" + tail,
			`t.yaml:5:25: operation.calls[0].completion: upstream a answers at once`},
		{"bad backoff",
			head + "  a: {mock: {async: {mode: poll}}}\noperation:\n  calls: [{upstream: a, completion: {mode: poll, poll: {backoff: 0.5}}}]\n" + tail,
			`t.yaml:5:66: operation.calls[0].completion.poll.backoff: 0.5; allowed: 1 (a steady interval) to 10`},
		{"unknown async mode",
			head + "  a: {mock: {async: {mode: webhook}}}\noperation:\n  calls: [{upstream: a}]\n" + tail,
			`t.yaml:3:28: upstreams.a.mock.async.mode: unknown mode "webhook"; allowed: callback, poll`},
		{"receiver listen",
			head + "  a: {mock: {}}\noperation:\n  calls: [{upstream: a}]\n" + tail + "receiver: {listen: nowhere}\n",
			`t.yaml:8:20: receiver.listen: "nowhere" is not HOST:PORT`},
		{"receiver unknown key",
			head + "  a: {mock: {}}\noperation:\n  calls: [{upstream: a}]\n" + tail + "receiver: {lisen: 127.0.0.1:9000}\n",
			`t.yaml:8:12: receiver.lisen: unknown key; did you mean "listen"? allowed: listen, url, signature`},
		{"signature unknown key",
			head + "  a: {mock: {}}\noperation:\n  calls: [{upstream: a}]\n" + tail + "receiver: {signature: {headr: X-Sig}}\n",
			`t.yaml:8:24: receiver.signature.headr: unknown key; did you mean "header"? allowed: header, secret, tolerance`},
		{"signature header",
			head + "  a: {mock: {}}\noperation:\n  calls: [{upstream: a}]\n" + tail + "receiver: {signature: {header: \"X Sig\"}}\n",
			`t.yaml:8:32: receiver.signature.header: "X Sig" is not a header name`},
		{"receiver url",
			head + "  a: {mock: {}}\noperation:\n  calls: [{upstream: a}]\n" + tail + "receiver: {url: \"ftp://x/y\"}\n",
			`t.yaml:8:17: receiver.url:`},
		{"listening everywhere without a url",
			head + "  a: {url: \"http://127.0.0.1:9\"}\noperation:\n  calls: [{upstream: a, completion: {mode: callback}}]\n" + tail + "receiver: {listen: \"0.0.0.0:9000\"}\n",
			`t.yaml:8:1: receiver.url: missing; a real upstream cannot call back to 0.0.0.0:9000: give the address it can reach, such as url: http://HOST:9000/callbacks`},
		{"mock header differs from the receiver's",
			head + "  a: {mock: {async: {mode: callback, header: X-Sig}}}\noperation:\n  calls: [{upstream: a, completion: {mode: callback}}]\n" + tail +
				"receiver: {signature: {header: Acme-Signature}}\n",
			`t.yaml:3:46: upstreams.a.mock.async.header: X-Sig, but the receiver reads the signature in Acme-Signature`},
		{"mock secret differs from the receiver's",
			head + "  a: {mock: {async: {mode: callback, secret: s1}}}\noperation:\n  calls: [{upstream: a, completion: {mode: callback}}]\n" + tail,
			`t.yaml:3:46: upstreams.a.mock.async.secret: differs from the receiver's`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := scenarios.Parse("t.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error:\n got: %v\nwant: %s", tt.yaml, err, tt.want)
			}
		})
	}
}

// TestAsyncSecretRedacted: the webhook secret from the environment is
// kept out of the scenario as recorded.
func TestAsyncSecretRedacted(t *testing.T) {
	t.Setenv("FB_TEST_WEBHOOK_SECRET", "whsec_do-not-print-me")
	src := "name: t\nupstreams:\n  a: {mock: {async: {mode: callback}}}\noperation:\n  calls: [{upstream: a, completion: {mode: callback}}]\n" +
		"strategies: [fanout]\nload: {rate: 10/s, duration: 1s}\nreceiver: {signature: {secret: \"${FB_TEST_WEBHOOK_SECRET}\"}}\n"
	s, err := scenarios.Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "do-not-print-me") || !strings.Contains(string(raw), scenarios.Redacted) {
		t.Errorf("RedactedJSON() = %s; want the secret redacted", raw)
	}
	if m := s.MockConfig(&s.Upstreams[0]); m.Async.Secret != "whsec_do-not-print-me" {
		t.Errorf("MockConfig: the mock's secret is %q, want the receiver's", m.Async.Secret)
	}
}

// TestMockSignsAsTheReceiverReads: a mock that names no signature header
// of its own signs in the receiver's.
func TestMockSignsAsTheReceiverReads(t *testing.T) {
	t.Parallel()
	src := "name: t\nupstreams:\n  a: {mock: {async: {mode: callback}}}\noperation:\n  calls: [{upstream: a, completion: {mode: callback}}]\n" +
		"strategies: [fanout]\nload: {rate: 10/s, duration: 1s}\nreceiver: {signature: {header: Acme-Signature}}\n"
	s, err := scenarios.Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m := s.MockConfig(&s.Upstreams[0]); m.Async.Header != "Acme-Signature" {
		t.Errorf("MockConfig: the mock signs in %q, want the receiver's Acme-Signature", m.Async.Header)
	}
	if o := s.ReceiverOptions(); o.Header != "Acme-Signature" {
		t.Errorf("ReceiverOptions().Header = %q, want Acme-Signature", o.Header)
	}
}
