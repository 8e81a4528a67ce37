package mockupstream

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

// startAdmin runs a mock upstream on loopback for the length of the test,
// with an HTTP client of its own.
func startAdmin(t *testing.T, opts Options) (*Server, *http.Client) {
	t.Helper()
	srv := start(t, opts)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return srv, &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request with an optional body and header pairs.
func call(t *testing.T, c *http.Client, method, url, body string, header ...string) reply {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, url, err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

// decode unmarshals an answer's JSON body, failing the test when it is not.
func decode[T any](t *testing.T, what string, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%s: body %q is not the JSON expected: %v", what, r.body, err)
	}
	return v
}

type statsDoc struct {
	Upstream    string            `json:"upstream"`
	UptimeS     float64           `json:"uptime_s"`
	Received    uint64            `json:"received"`
	InFlight    int64             `json:"in_flight"`
	Cancelled   uint64            `json:"cancelled"`
	Aborted     uint64            `json:"aborted"`
	Statuses    map[string]uint64 `json:"statuses"`
	RateLimited uint64            `json:"rate_limited"`
	Sent429     uint64            `json:"sent_429"`
	Injected    LatencySummary    `json:"injected_latency"`
}

func TestAdminStatsAndLedger(t *testing.T) {
	t.Parallel()
	cfg := Config{
		Latency: draws.Latency{Dist: draws.DistUniform, Min: units.Duration(time.Millisecond), Max: units.Duration(3 * time.Millisecond)},
		Errors:  map[int]units.Fraction{429: 0.2, 503: 0.2},
	}
	srv, c := startAdmin(t, Options{Name: "profile", Seed: 9, Config: cfg})
	b, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDrawer(9, "profile", b)
	const n = 60
	wantStatuses := map[string]uint64{}
	var maxLat time.Duration
	accepted := map[string]bool{}
	for seq := range uint64(n) {
		dr := d.Draw(seq, 0)
		wantStatuses[strconv.Itoa(dr.Status)]++
		maxLat = max(maxLat, dr.Latency)
		key := "op-" + strconv.FormatUint(seq%40, 10) // keys 0 to 19 sent twice
		h := []string{draws.HeaderSeq, strconv.FormatUint(seq, 10), HeaderIdempotencyKey, key}
		if seq%10 == 9 {
			h = h[:2] // every tenth request carries no key
		} else if dr.Status == 200 {
			accepted[key] = true
		}
		call(t, c, http.MethodPost, srv.URL()+"/users", `{"a":1}`, h...)
	}

	r := call(t, c, http.MethodGet, srv.URL()+AdminPrefix+"stats", "")
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET stats = %d %s %q, want 200 application/json", r.status, r.header.Get("Content-Type"), r.body)
	}
	st := decode[statsDoc](t, "GET stats", r)
	if st.Upstream != "profile" || st.Received != n || st.InFlight != 0 || st.Cancelled != 0 || st.Aborted != 0 ||
		!reflect.DeepEqual(st.Statuses, wantStatuses) || st.Sent429 != wantStatuses["429"] || st.UptimeS < 0 {
		t.Errorf("GET stats = %s\nwant upstream profile, %d received, statuses %v, sent_429 %d", r.body, n, wantStatuses, wantStatuses["429"])
	}
	if inj := st.Injected; inj.Count != n || inj.P50 < 1 || inj.P99 > inj.Max || inj.P999 > inj.Max || inj.Max != float64(maxLat.Microseconds())/1000 {
		t.Errorf("injected_latency = %+v, want %d delays from 1ms to 3ms, max %v", inj, n, maxLat)
	}
	// The order of the keys is fixed.
	var order []string
	for _, k := range []string{`"upstream"`, `"uptime_s"`, `"received"`, `"statuses"`, `"sent_429"`, `"injected_latency"`} {
		order = append(order, k)
		if i := bytes.Index(r.body, []byte(k)); i < 0 {
			t.Errorf("GET stats lacks %s: %s", k, r.body)
		}
	}
	if !slices.IsSortedFunc(order, func(a, b string) int {
		return bytes.Index(r.body, []byte(a)) - bytes.Index(r.body, []byte(b))
	}) {
		t.Errorf("GET stats keys out of order, want %v: %s", order, r.body)
	}

	r = call(t, c, http.MethodGet, srv.URL()+AdminPrefix+"ledger", "")
	led := decode[LedgerStats](t, "GET ledger", r)
	// Keys op-9, op-19, op-29 and op-39 are never sent, op-0 to op-18
	// but op-9 twice, the others once.
	want := LedgerStats{
		Received: 54, UniqueKeys: 36, DuplicatedKeys: 18, DuplicateRequests: 18, WithoutKey: 6,
		AcceptedKeys: uint64(len(accepted)),
	}
	// The 2xx answers to keys answered 2xx before.
	seen2xx := map[string]bool{}
	for seq := range uint64(n) {
		key := "op-" + strconv.FormatUint(seq%40, 10)
		if seq%10 == 9 || d.Draw(seq, 0).Status != 200 {
			continue
		}
		if seen2xx[key] {
			want.DuplicateAccepted++
		}
		seen2xx[key] = true
	}
	if len(led.DuplicateSamples) != 18 || led.DuplicateSamples[0] != "op-0" || led.TableBytes == 0 {
		t.Errorf("GET ledger: duplicate samples %q, table_bytes %d; want 18 from op-0 and above 0", led.DuplicateSamples, led.TableBytes)
	}
	led.DuplicateSamples, led.TableBytes = nil, 0
	if !reflect.DeepEqual(led, want) {
		t.Errorf("GET ledger = %s\nwant %+v", r.body, want)
	}

	for _, tt := range []struct {
		query string
		want  ledgerKey
	}{
		{"op-0", ledgerKey{Key: "op-0", Seen: true, Duplicated: true, Accepted: accepted["op-0"]}},
		{"op-38", ledgerKey{Key: "op-38", Seen: true, Duplicated: false, Accepted: accepted["op-38"]}},
		{"op-9", ledgerKey{Key: "op-9", Seen: false}}, // seqs 9 and 49 sent no key
		{"a b&c", ledgerKey{Key: "a b&c"}},
	} {
		r := call(t, c, http.MethodGet, srv.URL()+AdminPrefix+"ledger?key="+strings.ReplaceAll(strings.ReplaceAll(tt.query, " ", "%20"), "&", "%26"), "")
		if got := decode[ledgerKey](t, "GET ledger?key="+tt.query, r); r.status != 200 || got != tt.want {
			t.Errorf("GET ledger?key=%s = %d %s, want %+v", tt.query, r.status, r.body, tt.want)
		}
	}
	if r := call(t, c, http.MethodGet, srv.URL()+AdminPrefix+"ledger?key=", ""); r.status != 400 {
		t.Errorf("GET ledger?key= = %d %s, want 400", r.status, r.body)
	}
	if st := srv.Stats(); st.Received != n {
		t.Errorf("after the admin requests, Stats().Received = %d, want %d: admin requests are not traffic", st.Received, n)
	}
}

// TestNoLedger checks that a server started with NoLedger keeps no ledger
// yet serves and counts as any other, and that its ledger endpoint says why
// it has nothing to show.
func TestNoLedger(t *testing.T) {
	t.Parallel()
	srv, c := startAdmin(t, Options{Name: "profile", Seed: 9, NoLedger: true})
	for seq := range 5 {
		if r := call(t, c, http.MethodPost, srv.URL()+"/users", `{"a":1}`, draws.HeaderSeq, strconv.Itoa(seq), HeaderIdempotencyKey, "op-1"); r.status != 200 {
			t.Fatalf("request %d answered %d, want 200", seq, r.status)
		}
	}
	if l := srv.Ledger(); l != nil || l.Contains("op-1") || l.Snapshot().Received != 0 {
		t.Errorf("Ledger() = %p, holding %+v; want nil, empty", l, l.Snapshot())
	}
	srv.Ledger().Reset() // a nil ledger resets as a no-op
	for _, url := range []string{"ledger", "ledger?key=op-1"} {
		r := call(t, c, http.MethodGet, srv.URL()+AdminPrefix+url, "")
		if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "keeps no ledger") {
			t.Errorf("GET %s = %d %s, want 404 saying the mock keeps no ledger", url, r.status, r.body)
		}
	}
	if st := decode[statsDoc](t, "GET stats", call(t, c, http.MethodGet, srv.URL()+AdminPrefix+"stats", "")); st.Received != 5 {
		t.Errorf("stats: %d received, want 5", st.Received)
	}
	if r := call(t, c, http.MethodPost, srv.URL()+AdminPrefix+"reset", ""); r.status != http.StatusNoContent {
		t.Errorf("POST reset = %d, want 204", r.status)
	}
}

func TestAdminReset(t *testing.T) {
	t.Parallel()
	srv, c := startAdmin(t, Options{Name: "audit", Config: Config{Latency: draws.Latency{Value: units.Duration(time.Millisecond)}}})
	for i := range 5 {
		call(t, c, http.MethodGet, srv.URL()+"/log", "", HeaderIdempotencyKey, "k"+strconv.Itoa(i%3))
	}
	r := call(t, c, http.MethodPost, srv.URL()+AdminPrefix+"reset", "")
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("POST reset = %d %q, want 204 and no body", r.status, r.body)
	}
	st := decode[statsDoc](t, "GET stats", call(t, c, http.MethodGet, srv.URL()+AdminPrefix+"stats", ""))
	if st.Received != 0 || len(st.Statuses) != 0 || st.Injected.Count != 0 {
		t.Errorf("stats after reset = %+v, want zeroes", st)
	}
	led := decode[LedgerStats](t, "GET ledger", call(t, c, http.MethodGet, srv.URL()+AdminPrefix+"ledger", ""))
	if led.Received != 0 || led.UniqueKeys != 0 || len(led.DuplicateSamples) != 0 {
		t.Errorf("ledger after reset = %+v, want zeroes", led)
	}
	call(t, c, http.MethodGet, srv.URL()+"/log", "", HeaderIdempotencyKey, "k0")
	led = decode[LedgerStats](t, "GET ledger", call(t, c, http.MethodGet, srv.URL()+AdminPrefix+"ledger", ""))
	if led.Received != 1 || led.UniqueKeys != 1 || led.DuplicatedKeys != 0 {
		t.Errorf("ledger after reset and one request = %+v, want the key new again", led)
	}
	if got := srv.Config().Latency.Value; got != units.Duration(time.Millisecond) {
		t.Errorf("reset changed the config: latency %v", got)
	}
}

func TestAdminMethodsAndPaths(t *testing.T) {
	t.Parallel()
	srv, c := startAdmin(t, Options{Name: "profile"})
	tests := []struct {
		method, path string
		status       int
		allow        string
		body         []string
	}{
		{"GET", "", 200, "", []string{`"endpoints"`, "/__fanbench/stats", "/__fanbench/config"}},
		{"HEAD", "stats", 200, "", nil},
		{"POST", "stats", 405, "GET, HEAD", []string{"method not allowed"}},
		{"DELETE", "ledger", 405, "GET, HEAD", nil},
		{"GET", "reset", 405, "POST", []string{"allowed: POST"}},
		{"POST", "config", 405, "GET, HEAD, PUT", nil},
		{"GET", "statz", 404, "", []string{"no admin endpoint /__fanbench/statz", "/__fanbench/ledger", "/__fanbench/reset"}},
		{"GET", "stats/", 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			r := call(t, c, tt.method, srv.URL()+AdminPrefix+tt.path, "")
			if r.status != tt.status || r.header.Get("Allow") != tt.allow {
				t.Errorf("%s %s = %d Allow %q, want %d Allow %q (%s)", tt.method, tt.path, r.status, r.header.Get("Allow"), tt.status, tt.allow, r.body)
			}
			for _, w := range tt.body {
				if !bytes.Contains(r.body, []byte(w)) {
					t.Errorf("%s %s: body lacks %q: %s", tt.method, tt.path, w, r.body)
				}
			}
			if tt.method != "HEAD" && !json.Valid(r.body) {
				t.Errorf("%s %s: body is not JSON: %q", tt.method, tt.path, r.body)
			}
		})
	}
	if st := srv.Stats(); st.Received != 0 {
		t.Errorf("admin requests counted as traffic: %+v", st)
	}
}

type problemsDoc struct {
	Errors []problem `json:"errors"`
}

func TestAdminConfigPut(t *testing.T) {
	t.Parallel()
	base := Config{Latency: draws.Latency{Value: units.Duration(2 * time.Millisecond)}, Errors: map[int]units.Fraction{503: 0.25}}
	tests := []struct {
		name   string
		body   string
		status int
		fields []string // the fields blamed, in order
		msgs   []string // fragments of the messages
	}{
		{"unknown field", `{"latency": "1ms", "erors": {"503": "1%"}}`, 400, []string{"erors"}, []string{`unknown key; did you mean "errors"? allowed: latency, correlated, errors`}},
		{"every unknown field", `{"Latency": "1ms", "latency": {"dist": "fixed", "vaule": "1s"}, "x": 1}`, 400,
			[]string{"Latency", "latency.vaule", "x"}, []string{"unknown key"}},
		{"unknown field in a mixture", `{"latency": {"components": [{"weight": "100%", "latency": {"valeu": "1ms"}}]}}`, 400,
			[]string{"latency.components[0].latency.valeu"}, nil},
		{"wrong types", `{"latency": {"min": 5, "max": "2ms", "dist": "uniform", "sigma": "x"}, "errors": {"abc": "1%", "503": 2}, "capacity": {"queue": "nine"}}`, 400,
			[]string{"latency.min", "latency.sigma", "errors.abc", "errors.503", "capacity.queue"}, []string{
				`expected an integer, got "nine"`, `"2" is out of range; a fraction is from 0 to 1`,
				`expected an integer, got "abc"`, `"5" is not a duration; write it with a unit`, `expected a number, got "x"`,
			}},
		{"text for a number", `{"capacity": {"concurrency": "2", "queue": "9"}}`, 200, nil, nil},
		{"a number for a latency", `{"latency": 200}`, 400, []string{"latency"}, []string{`"200" is not a duration`}},
		{"numbers for text", `{"errors": {"503": 0.05}, "rate_limit": {"rate": 500, "burst": 5}}`, 200, nil, nil},
		{"bad duration", `{"latency": "fast"}`, 400, []string{"latency"}, []string{`"fast" is not a duration`}},
		{"invalid config", `{"latency": {"dist": "uniform", "min": "30ms", "max": "10ms"}, "errors": {"200": "1%", "503": "100%"}}`, 400,
			[]string{"latency.max", "errors.200", "errors"}, []string{"max (10ms) is below min (30ms)", "not an error status"}},
		{"empty body", ``, 400, []string{""}, []string{"the body is empty"}},
		{"YAML", `latency: 1ms`, 200, nil, nil},
		{"not JSON", `{"latency": "1ms"`, 400, []string{""}, []string{"invalid YAML"}},
		{"two objects", `{} {}`, 400, []string{""}, []string{"invalid YAML"}},
		{"an array", `[{"latency": "1ms"}]`, 400, []string{""}, []string{"expected a mapping with the keys latency, correlated, errors"}},
		{"too big", `{"latency": "1ms", "x": "` + strings.Repeat("a", maxBodyBytes) + `"}`, 413, []string{""}, []string{"over"}},
		{"valid", `{"latency": {"dist": "fixed", "value": "1ms"}, "errors": {"500": "50%"}}`, 200, nil, nil},
		{"valid shorthand", `{"latency": "3ms"}`, 200, nil, nil},
		{"empty object", `{}`, 200, nil, nil},
		{"every section", `{"latency": {"p50": "40ms", "p99": "300ms"}, "errors": {"503": "1%"},
			"faults": {"reset": "0.5%"}, "rate_limit": {"rate": "500/s", "burst": 50},
			"retry_after": {"format": "http-date", "value": "2s"}, "capacity": {"concurrency": 8, "queue": 100},
			"body": {"size": "2KiB"}, "incidents": [{"name": "outage", "from": "20s", "to": "30s", "errors": {"503": "99%"}}]}`, 200, nil, nil},
		{"unknown fields in every section", `{"faults": {"rst": "1%"}, "rate_limit": {"rate": "1/s", "brust": 1},
			"incidents": [{"from": "1s", "to": "2s", "latency": {"vaule": "1ms"}, "rate_limit": {"burts": 1}}]}`, 400,
			[]string{"faults.rst", "rate_limit.brust", "incidents[0].latency.vaule", "incidents[0].rate_limit.burts"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := startAdmin(t, Options{Name: "profile", Seed: 3, Config: base})
			r := call(t, c, http.MethodPut, srv.URL()+AdminPrefix+"config", tt.body, "Content-Type", "application/json")
			if r.status != tt.status {
				t.Fatalf("PUT config %.80s = %d %s, want %d", tt.body, r.status, r.body, tt.status)
			}
			if tt.status != 200 {
				doc := decode[problemsDoc](t, "PUT config", r)
				var fields []string
				for _, p := range doc.Errors {
					fields = append(fields, p.Field)
				}
				if !slices.Equal(fields, tt.fields) {
					t.Errorf("PUT config %.80s blames %q, want %q\n%s", tt.body, fields, tt.fields, r.body)
				}
				var msgs []string
				for _, p := range doc.Errors {
					msgs = append(msgs, p.Message)
				}
				for _, m := range tt.msgs {
					if !strings.Contains(strings.Join(msgs, "\n"), m) {
						t.Errorf("PUT config %.80s: the answer lacks %q:\n%s", tt.body, m, r.body)
					}
				}
				if got := srv.Config(); !reflect.DeepEqual(got, base) {
					t.Errorf("a refused PUT changed the config to %+v", got)
				}
				return
			}
			want, problems := decodeConfig([]byte(tt.body))
			if problems != nil {
				t.Fatalf("decodeConfig(%s) = %+v", tt.body, problems)
			}
			var std Config // what encoding/json makes of it, when it can
			if err := json.Unmarshal([]byte(tt.body), &std); err == nil && !reflect.DeepEqual(std, want) {
				t.Errorf("decodeConfig(%s) = %+v, but encoding/json reads %+v", tt.body, want, std)
			}
			if got := srv.Config(); !reflect.DeepEqual(got, want) {
				t.Errorf("after PUT config %s, Config() = %+v, want %+v", tt.body, got, want)
			}
			if got := decode[Config](t, "PUT config", r); !reflect.DeepEqual(got, want) {
				t.Errorf("PUT config %s answered %s, want the new config", tt.body, r.body)
			}
			r = call(t, c, http.MethodGet, srv.URL()+AdminPrefix+"config", "")
			if got := decode[Config](t, "GET config", r); !reflect.DeepEqual(got, want) {
				t.Errorf("GET config after PUT %s = %+v, want %+v", tt.body, got, want)
			}
			// What GET answers, PUT takes back unchanged.
			if r := call(t, c, http.MethodPut, srv.URL()+AdminPrefix+"config", string(r.body)); r.status != 200 {
				t.Errorf("PUT of the GET config %s = %d %s, want 200", r.body, r.status, r.body)
			} else if got := srv.Config(); !reflect.DeepEqual(got, want) {
				t.Errorf("PUT of the GET config changed it to %+v, want %+v", got, want)
			}
		})
	}
}

// A PUT config changes what the next requests meet.
func TestAdminConfigPutChangesBehaviour(t *testing.T) {
	t.Parallel()
	srv, c := startAdmin(t, Options{Name: "profile"})
	if r := call(t, c, http.MethodGet, srv.URL()+"/x", ""); r.status != 200 {
		t.Fatalf("before PUT: %d, want 200", r.status)
	}
	r := call(t, c, http.MethodPut, srv.URL()+AdminPrefix+"config", `{"errors": {"503": "100%"}}`)
	if r.status != 200 {
		t.Fatalf("PUT config = %d %s", r.status, r.body)
	}
	if r := call(t, c, http.MethodGet, srv.URL()+"/x", ""); r.status != 503 {
		t.Errorf("after PUT of errors {503: 100%%}: %d, want 503", r.status)
	}
}

func TestLatencyRecorder(t *testing.T) {
	t.Parallel()
	r := newLatencyRecorder()
	if s := r.Summary(); s != (LatencySummary{}) {
		t.Errorf("empty Summary() = %+v, want zeroes", s)
	}
	// 1,000 delays of 1..1000 ms, from 4 goroutines at once, plus one over
	// the range.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < 1000; i += 4 {
				r.Record(time.Duration(i+1) * time.Millisecond)
			}
		})
	}
	wg.Wait()
	r.Record(90 * time.Second)
	r.Record(-time.Second) // counted as 0
	s := r.Summary()
	// 3 significant figures: buckets 1/1024 wide at most, reported by
	// their highest value.
	near := func(got, want float64) bool { return got >= want && got <= want*(1+1.0/512) }
	if s.Count != 1002 || !near(s.P50, 500) || !near(s.P90, 900) || !near(s.P99, 990) ||
		!near(s.P999, 1000) || s.Max != 90000 || s.OverRange != 1 || !near(s.Mean, (500.5*1000+60000)/1002) {
		t.Errorf("Summary() = %+v, want 1002 delays, p50 500, p90 900, p99 990, p99.9 1000, max 90000, 1 over range", s)
	}
	r.Reset()
	if s := r.Summary(); s != (LatencySummary{}) {
		t.Errorf("Summary() after Reset = %+v, want zeroes", s)
	}
}

func TestLatencyRecorderAllocs(t *testing.T) {
	r := newLatencyRecorder()
	allocs := testing.AllocsPerRun(1000, func() { r.Record(3 * time.Millisecond) })
	if allocs != 0 {
		t.Errorf("Record allocates %.1f times per call, want 0", allocs)
	}
}

func TestSnakeCase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Received": "received", "InFlight": "in_flight", "RateLimited": "rate_limited",
		"RetryAfterHTTPDate": "retry_after_http_date", "P99": "p99", "HTTPStatus": "http_status", "ByKind2xx": "by_kind2xx",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkLatencyRecorder(b *testing.B) {
	r := newLatencyRecorder()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		d := time.Duration(0)
		for pb.Next() {
			r.Record(d)
			d += 7 * time.Microsecond
		}
	})
}

// FuzzAdminConfigPut sends any body to PUT /__fanbench/config: the handler
// never panics, answers 200 or a 4xx with a JSON list of problems, and a
// refused body leaves the config as it was.
func FuzzAdminConfigPut(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"latency": "20ms"}`, `{"latency": {"dist": "uniform", "min": "1ms", "max": "2ms"}}`,
		`{"errors": {"503": "1%", "500": "0.5%"}}`, `{"latency": {"p50": "40ms", "p99": "300ms"}}`,
		`{"latency": {"components": [{"weight": "95%", "latency": "1ms"}, {"weight": "5%", "latency": "1s"}]}}`,
		`{"erors": 1}`, `{"latency": 5}`, `{"errors": {"x": []}}`, `[1]`, `null`, `"x"`, `{"latency": null}`,
		`{"latency": {"dist": "normal", "mean": "-1ms"}}`, `{} x`, `{"a":`, "\xff",
	} {
		f.Add([]byte(s))
	}
	srv, err := Start(Options{Name: "fuzz", Config: Config{Latency: draws.Latency{Value: units.Duration(time.Millisecond)}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = srv.Close() })
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		before := srv.Config()
		req := httptest.NewRequest(http.MethodPut, AdminPrefix+"config", bytes.NewReader(body))
		req.RemoteAddr = "127.0.0.1:1234" // admin writes come from this machine
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusOK:
			var c Config
			if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
				t.Fatalf("PUT %q answered 200 with %q: %v", body, rec.Body, err)
			}
		case rec.Code == http.StatusBadRequest || rec.Code == http.StatusRequestEntityTooLarge:
			var doc problemsDoc
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Errors) == 0 {
				t.Fatalf("PUT %q answered %d with %q, want a JSON list of problems (%v)", body, rec.Code, rec.Body, err)
			}
			if after := srv.Config(); !reflect.DeepEqual(after, before) {
				t.Fatalf("PUT %q was refused but changed the config from %+v to %+v", body, before, after)
			}
		default:
			t.Fatalf("PUT %q answered %d %q, want 200, 400 or 413", body, rec.Code, rec.Body)
		}
	})
}
