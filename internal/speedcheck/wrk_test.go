package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestParseWrkGolden reads real wrk 4.1.0 output (testdata/wrk/*.txt:
// with wrkScript's done() line, with answers not 2xx, and without the
// script) and compares what it found with the .golden beside each.
func TestParseWrkGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/wrk/*.txt")
	if err != nil || len(files) < 3 {
		t.Fatalf("want at least 3 samples of wrk output, got %v (%v)", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s, err := parseWrk(strings.NewReader(string(in)))
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("requests %d\nok %d\nnon2xx %d\nsocket_errors %d\nduration %v\nexact %v\n",
				s.requests, s.ok(), s.non2xx, s.socketErrors, s.duration, s.exact)
			want := golden.Want(t, strings.TrimSuffix(f, ".txt")+".golden", []byte(got), *update,
				"go test ./internal/speedcheck -run ParseWrk -update")
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestParseWrk(t *testing.T) {
	const total = "  1000 requests in 2.00s, 1.00MB read\n"
	tests := []struct {
		name    string
		in      string
		want    wrkSummary
		wantErr string
	}{
		{name: "summary only", in: total, want: wrkSummary{requests: 1000, duration: 2 * time.Second}},
		{name: "exact line wins", in: total + "fanbench-wrk: requests 1000 duration_us 2004000 status 0 connect 0 read 1 write 0 timeout 2\n",
			want: wrkSummary{requests: 1000, duration: 2004 * time.Millisecond, socketErrors: 3, exact: true}},
		{name: "socket errors", in: total + "  Socket errors: connect 1, read 2, write 3, timeout 4\n",
			want: wrkSummary{requests: 1000, duration: 2 * time.Second, socketErrors: 10}},
		{name: "minutes", in: "  5 requests in 1.50m, 1.00KB read\n", want: wrkSummary{requests: 5, duration: 90 * time.Second}},
		{name: "milliseconds", in: "  5 requests in 500.00ms, 1.00KB read\n", want: wrkSummary{requests: 5, duration: 500 * time.Millisecond}},
		{name: "empty", in: "", wantErr: `no "N requests in T" line`},
		{name: "two totals", in: total + total, wantErr: "line 2: a second total"},
		{name: "bad count", in: "  x requests in 2.00s, 1MB read\n", wantErr: "line 1"},
		{name: "bad unit", in: "  1 requests in 2.00parsecs, 1MB read\n", wantErr: `duration "2.00parsecs"`},
		{name: "no unit", in: "  1 requests in 2.00, 1MB read\n", wantErr: "no unit"},
		{name: "zero duration", in: "  1 requests in 0.00s, 1MB read\n", wantErr: "a run of 0s"},
		{name: "more errors than requests", in: total + "  Non-2xx or 3xx responses: 1001\n", wantErr: "1001 answers not 2xx"},
		{name: "bad socket errors", in: total + "  Socket errors: connect x, read 0\n", wantErr: "socket errors: connect"},
		{name: "exact line disagrees", in: total + "fanbench-wrk: requests 999 duration_us 2000000 status 0 connect 0 read 0 write 0 timeout 0\n",
			wantErr: "disagrees"},
		{name: "exact line disagrees on status", in: total + "fanbench-wrk: requests 1000 duration_us 2000000 status 3 connect 0 read 0 write 0 timeout 0\n",
			wantErr: "disagrees"},
		{name: "exact line unknown field", in: total + "fanbench-wrk: requests 1000 duration_us 2000000 bogus 1\n", wantErr: `unknown field "bogus"`},
		{name: "exact line odd fields", in: total + "fanbench-wrk: requests\n", wantErr: "not name value pairs"},
		{name: "exact line no duration", in: total + "fanbench-wrk: requests 1000\n", wantErr: "duration_us missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWrk(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// FuzzParseWrk: any input gives a summary or an error, never a panic, and
// a summary always has a positive duration and no more failures than
// requests.
func FuzzParseWrk(f *testing.F) {
	files, _ := filepath.Glob("testdata/wrk/*.txt")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("  1 requests in 1.00s, 1MB read\nfanbench-wrk: requests 1 duration_us 1000000 status 0 connect 0 read 0 write 0 timeout 0\n")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := parseWrk(strings.NewReader(in))
		if err != nil {
			return
		}
		if s.duration <= 0 || s.non2xx > s.requests || s.ok() > s.requests {
			t.Fatalf("%q: %+v", in, s)
		}
	})
}
