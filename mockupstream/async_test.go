package mockupstream

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/units"
)

// TestAsyncLeavesDrawsAlone: adding async to a Config changes none of its
// latency and fault draws (the completion reads streams of its own).
func TestAsyncLeavesDrawsAlone(t *testing.T) {
	t.Parallel()
	base := Config{Latency: draws.Latency{Dist: draws.DistExponential, Mean: units.Duration(20 * time.Millisecond)},
		Errors: map[int]units.Fraction{503: 0.1}, Faults: Faults{Reset: 0.05}}
	withAsync := base
	withAsync.Async = &Async{Mode: AsyncCallback, Completion: draws.Latency{Dist: draws.DistUniform,
		Min: units.Duration(time.Millisecond), Max: units.Duration(time.Second)}, Faults: AsyncFaults{Lost: 0.1, Duplicate: 0.1, Late: 0.1}}
	b1, err := Compile(base)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := Compile(withAsync)
	if err != nil {
		t.Fatal(err)
	}
	d1, d2 := NewDrawer(42, "up", b1), NewDrawer(42, "up", b2)
	faults := map[AsyncFault]int{}
	for seq := range uint64(2000) {
		x, y := d1.Draw(seq, 0), d2.Draw(seq, 0)
		if x.Latency != y.Latency || x.Status != y.Status || x.Fault != y.Fault {
			t.Fatalf("seq %d: draw %+v without async, %+v with it", seq, x, y)
		}
		if y.Async != (y.Fault == FaultNone) {
			t.Fatalf("seq %d: %+v: async only for a 200", seq, y)
		}
		if y.Async {
			faults[y.AsyncFault]++
			if y.AsyncFault != AsyncLate && (y.Completion < time.Millisecond || y.Completion >= time.Second) {
				t.Fatalf("seq %d: completion %v outside its uniform range", seq, y.Completion)
			}
		}
	}
	for _, f := range []AsyncFault{AsyncOnTime, AsyncLost, AsyncDuplicate, AsyncLate} {
		if faults[f] == 0 {
			t.Errorf("no draw of %v in 2000: %v", f, faults)
		}
	}
}

func TestAsyncValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a    Async
		want string
	}{
		{Async{Mode: AsyncPoll}, ""},
		{Async{}, "async.mode: is missing"},
		{Async{Mode: "webhook"}, `unknown mode "webhook"`},
		{Async{Mode: AsyncPoll, Faults: AsyncFaults{Duplicate: 0.01}}, "async.faults.duplicate: applies to mode: callback only"},
		{Async{Mode: AsyncCallback, Faults: AsyncFaults{Lost: 0.6, Late: 0.6}}, "add up to 120%"},
		{Async{Mode: AsyncCallback, MaxPending: -1}, "async.max_pending"},
		{Async{Mode: AsyncCallback, Header: "Acme Signature"}, `async.header: "Acme Signature" is not a header name`},
		{Async{Mode: AsyncCallback, Header: "Acme-Signature"}, ""},
		{Async{Mode: AsyncCallback, Completion: draws.Latency{Dist: draws.DistUniform}}, "async.completion.max"},
	}
	for _, tt := range tests {
		c := Config{Async: &tt.a}
		err := c.Validate()
		switch {
		case err == nil && tt.want != "":
			t.Errorf("Validate(%+v) = nil, want %q", tt.a, tt.want)
		case err != nil && (tt.want == "" || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Validate(%+v) = %q, want %q", tt.a, err, tt.want)
		}
	}
}

// TestAsyncServe: a 202 with a Location and an operation id; the status
// URL answers pending then done; a callback request without a callback
// URL is refused; Close ends the callbacks still waiting (goleak checks
// in TestMain).
func TestAsyncServe(t *testing.T) {
	t.Parallel()
	poll, err := Start(Options{Name: "p", Config: Config{Async: &Async{Mode: AsyncPoll,
		Completion: draws.Latency{Dist: draws.DistFixed, Value: units.Duration(50 * time.Millisecond)}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer poll.Close()
	resp, err := http.Post(poll.URL()+"/jobs", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusAccepted || !strings.HasPrefix(loc, PollPrefix) || resp.Header.Get(draws.HeaderOperation) == "" {
		t.Fatalf("POST = %d, Location %q; want 202 with a status URL", resp.StatusCode, loc)
	}
	statuses := []int{}
	for range 2 {
		r, err := http.Get(poll.URL() + loc)
		if err != nil {
			t.Fatal(err)
		}
		_ = r.Body.Close()
		statuses = append(statuses, r.StatusCode)
		time.Sleep(60 * time.Millisecond)
	}
	if statuses[0] != http.StatusAccepted || statuses[1] != http.StatusOK {
		t.Errorf("polls answered %v, want [202 200]", statuses)
	}
	if as := poll.Stats().Async; as.Accepted != 1 || as.Polls != 2 || as.PollsPending != 1 || as.PollsDone != 1 {
		t.Errorf("async stats %+v", as)
	}

	cb, err := Start(Options{Name: "c", Config: Config{Async: &Async{Mode: AsyncCallback,
		Completion: draws.Latency{Dist: draws.DistFixed, Value: units.Duration(time.Hour)}}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Post(cb.URL()+"/jobs", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a callback request without %s answered %d, want 400", draws.HeaderCallback, resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, cb.URL()+"/jobs", nil)
	req.Header.Set(draws.HeaderCallback, "http://127.0.0.1:1/never")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || cb.Stats().Async.Pending != 1 {
		t.Fatalf("callback request answered %d, %d pending; want 202, 1 pending", resp.StatusCode, cb.Stats().Async.Pending)
	}
	start := time.Now()
	_ = cb.Close() // an hour early: the waiting callback ends with it
	if as := cb.Stats().Async; as.Pending != 0 || as.CallbacksCancelled != 1 || time.Since(start) > 2*time.Second {
		t.Errorf("after Close: %+v in %v; want the callback cancelled at once", as, time.Since(start))
	}
	http.DefaultClient.CloseIdleConnections()
}

// TestAsyncSignsInItsHeader: a callback is signed with the mock's secret
// in the header it names, and verifies there.
func TestAsyncSignsInItsHeader(t *testing.T) {
	t.Parallel()
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	srv, err := Start(Options{Name: "c", Config: Config{Async: &Async{Mode: AsyncCallback, Header: "acme-signature", Secret: "whsec_acme",
		Completion: draws.Latency{Dist: draws.DistFixed, Value: units.Duration(time.Millisecond)}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/jobs", nil)
	req.Header.Set(draws.HeaderCallback, recv.URL+"/hooks")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	r, body := <-got, <-bodies
	if r.Header.Get(draws.HeaderSignature) != "" {
		t.Errorf("the callback carries %s too; want only Acme-Signature", draws.HeaderSignature)
	}
	if err := draws.VerifySignature([]byte("whsec_acme"), r.Header.Get("Acme-Signature"), body, time.Now(), 0); err != nil {
		t.Errorf("Acme-Signature %q does not verify under the mock's secret: %v", r.Header.Get("Acme-Signature"), err)
	}
	http.DefaultClient.CloseIdleConnections()
}
