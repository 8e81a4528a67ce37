package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/scenarios"
)

// acmeProvider is a real asynchronous API on loopback, not fanbench's
// mock: it answers 202 and, 5 ms later, posts a completion event to the
// URL the request named, signed in its own header (Acme-Signature) with
// its own secret. Every fifth operation's event is sent twice; every
// seventh is first sent with a wrong signature, then rightly.
type acmeProvider struct {
	secret                   []byte
	wg                       sync.WaitGroup
	sent, dups, forged, fail atomic.Uint64
	client                   http.Client
}

func (p *acmeProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	seq, _ := strconv.ParseUint(r.Header.Get(draws.HeaderSeq), 10, 64)
	key, cb := r.Header.Get("Idempotency-Key"), r.Header.Get(draws.HeaderCallback)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = fmt.Fprintf(w, `{"job":"job_%d","status":"queued"}`, seq)
	p.wg.Go(func() {
		time.Sleep(5 * time.Millisecond)
		body, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("ev_%d", seq), "key": key, "status": "done"})
		if seq%7 == 0 {
			p.forged.Add(1)
			p.post(cb, body, []byte("not-the-secret"))
		}
		p.post(cb, body, p.secret)
		if seq%5 == 0 {
			p.dups.Add(1)
			p.post(cb, body, p.secret)
		}
	})
}

func (p *acmeProvider) post(url string, body, secret []byte) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Acme-Signature", draws.Sign(secret, time.Now().Unix(), body))
	p.sent.Add(1)
	resp, err := p.client.Do(req)
	if err != nil {
		p.fail.Add(1)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

// TestReceiverForARealUpstream: a real upstream calls back to the URL
// given as receiver.url (a proxy in front of receiver.listen, as a tunnel
// would be), signing in the header and with the secret (from the
// environment) the scenario names; every operation completes once, the
// duplicates and forged events are counted and refused, and the secret
// is in no output.
func TestReceiverForARealUpstream(t *testing.T) {
	const secret = "whsec_acme_do-not-print-me"
	t.Setenv("FB_TEST_ACME_SECRET", secret)
	prov := &acmeProvider{secret: []byte(secret), client: http.Client{Timeout: 5 * time.Second}}
	up := httptest.NewServer(prov)
	defer up.Close()
	defer prov.client.CloseIdleConnections()

	ln, err := net.Listen("tcp", "127.0.0.1:0") // a free port for receiver.listen
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	_ = ln.Close()
	target, _ := url.Parse("http://" + listen)
	tunnel := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) }})
	defer tunnel.Close()

	src := fmt.Sprintf(`name: acme
upstreams:
  acme: {url: %s}
operation:
  calls:
    - {upstream: acme, method: POST, path: /v1/jobs, completion: {mode: callback, deadline: 3s}}
strategies: [sequential, fanout]
load: {model: open, rate: 50/s, duration: 1s}
receiver:
  listen: %s
  url: %s/hooks/acme
  signature: {header: Acme-Signature, secret: "${FB_TEST_ACME_SECRET}"}
`, up.URL, listen, tunnel.URL)
	sc, err := scenarios.Parse("acme.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	prov.wg.Wait()
	if prov.fail.Load() != 0 {
		t.Errorf("%d of the provider's %d callbacks got no answer", prov.fail.Load(), prov.sent.Load())
	}
	var received, completed, dups, bad uint64
	for _, sr := range res.Strategies {
		cb := sr.Callbacks
		if cb == nil {
			t.Fatalf("%s: no callbacks in the result", sr.Name)
		}
		if sr.Outcomes.OK != sr.Operations || cb.Completed != sr.Operations {
			t.Errorf("%s: %d operations, outcomes %+v, callbacks %+v; want every operation completed once by its callback",
				sr.Name, sr.Operations, sr.Outcomes, cb)
		}
		if u := sr.Upstreams[0]; u.Accepted == nil || uint64(u.Accepted.Count) != sr.Operations {
			t.Errorf("%s: accepted %+v; want the 202 of every call", sr.Name, u.Accepted)
		}
		received += cb.Received
		completed += cb.Completed
		dups += cb.Duplicates
		bad += cb.BadSignature
	}
	if received != prov.sent.Load() || dups != prov.dups.Load() || bad != prov.forged.Load() || received != completed+dups+bad {
		t.Errorf("received %d, completed %d, duplicates %d, bad signatures %d; the provider sent %d, %d of them twice, %d forged",
			received, completed, dups, bad, prov.sent.Load(), prov.dups.Load(), prov.forged.Load())
	}
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "do-not-print-me") || !strings.Contains(string(raw), "Acme-Signature") {
		t.Errorf("the result holds the secret, or not the header name")
	}
}
