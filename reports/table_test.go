package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/internal/golden"
	"github.com/fanbench/fanbench/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixture builds a result by recording known values, as a run would.
func fixture(t *testing.T) *metrics.Result {
	t.Helper()
	layout := metrics.Layout{Upstreams: []string{"profile", "audit"},
		Failures:          []string{"none", "timeout", "canceled", "refused", "reset", "transport", "breaker_open", "limited", "skipped", "rejected"},
		CallsPerOperation: 2}
	res := &metrics.Result{
		Schema:      metrics.Schema,
		Scenario:    json.RawMessage(`{"name":"seed"}`),
		Environment: metrics.Environment{FanbenchVersion: "test", GoVersion: "go1.26", OS: "linux", Arch: "amd64", CPUs: 2},
		StartedAt:   time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		DurationS:   21.04,
		Warnings:    []string{"fanout: the generator fell behind"},
	}
	for _, s := range []struct {
		name     string
		base     time.Duration
		ideal    bool
		policies bool // the audit calls go through retries and a breaker
	}{{"sequential", 500 * time.Millisecond, true, false}, {"fanout", 300 * time.Millisecond, false, true}} {
		r := metrics.NewRecorder(layout)
		for i := range 200 {
			d := s.base + time.Duration(i)*10*time.Microsecond
			outcome := metrics.OutcomeOK
			status := 200
			if i%50 == 0 {
				outcome, status = metrics.OutcomePartial, 503
			}
			r.RecordOperation(outcome, d, d, 0, 0)
			if s.ideal {
				r.RecordOverhead(time.Duration(i) * 10 * time.Microsecond)
			}
			r.RecordCall(metrics.CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: 200 * time.Millisecond})
			switch {
			case i == 7:
				r.RecordCall(metrics.CallSample{Upstream: 1, Failure: 1, Attempts: 1, Latency: 2 * time.Second, Wasted: s.policies})
			case !s.policies && i == 9:
				// Skipped after the critical profile call failed; the
				// profile call is compensated.
				r.RecordCall(metrics.CallSample{Upstream: 1, Failure: 8})
				r.RecordCompensations(1, 0)
			case s.policies && i%40 == 1:
				// Refused by the open breaker: no attempt.
				r.RecordCall(metrics.CallSample{Upstream: 1, Failure: 6})
			case s.policies && i%40 == 21:
				// Answered 429 three times, one retry too early.
				r.RecordCall(metrics.CallSample{Upstream: 1, Status: 429, Attempts: 3, Got429: 3, TooEarly: 1, Latency: 900 * time.Millisecond})
			case s.policies && i%10 == 3:
				r.RecordCall(metrics.CallSample{Upstream: 1, Status: 200, Attempts: 2, Got429: 1, Latency: 350 * time.Millisecond,
					LimiterWait: 4 * time.Millisecond})
			default:
				r.RecordCall(metrics.CallSample{Upstream: 1, Status: status, Attempts: 1, Latency: 300 * time.Millisecond})
			}
		}
		sr, err := r.Summarize(s.name, 10*time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		sr.Strategy = s.name
		sr.Options = map[string]string{"fail_fast": "false"}
		if !s.policies {
			sr.Options = map[string]string{"stop_on_critical_failure": "true"}
		}
		res.Strategies = append(res.Strategies, sr)
	}
	return res
}

func TestTableGolden(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Table(&buf, fixture(t), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	goldenFile := filepath.Join("testdata", "table.golden")
	want := golden.Want(t, goldenFile, buf.Bytes(), *update, "go test ./reports -update")
	if buf.String() != string(want) {
		t.Errorf("Table output differs from %s (rerun with -update if the change is intended)\n got:\n%s\nwant:\n%s", goldenFile, &buf, want)
	}
}

func TestTableMarksInterruptedAndColours(t *testing.T) {
	t.Parallel()
	res := fixture(t)
	res.Interrupted = true
	var plain, colour bytes.Buffer
	if err := Table(&plain, res, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Table(&colour, res, TableOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain.String(), "INTERRUPTED") {
		t.Error("the table of an interrupted run does not say so")
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("the table without Color holds escape codes")
	}
	if !strings.Contains(colour.String(), "\x1b[") {
		t.Error("the table with Color holds no escape codes")
	}
}

func TestStatusesOrder(t *testing.T) {
	t.Parallel()
	got := statuses(map[string]uint64{"timeout": 1, "503": 2, "200": 3, "reset": 4, "429": 5})
	if want := "200×3 429×5 503×2 reset×4 timeout×1"; got != want {
		t.Errorf("statuses() = %q, want %q", got, want)
	}
}
