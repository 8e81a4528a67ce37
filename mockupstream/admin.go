package mockupstream

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/draws"
)

// AdminPrefix is the path under which a mock upstream serves its admin
// endpoints; requests under it are not traffic and are not counted.
const AdminPrefix = "/__fanbench/"

// The admin endpoints, in the order the index lists them.
var adminEndpoints = []struct {
	name    string
	methods []string
	what    string
}{
	{"stats", []string{http.MethodGet}, "requests by status, in flight, cancelled, aborted, 429s sent, injected latency"},
	{"ledger", []string{http.MethodGet}, "idempotency keys received, unique, duplicated, accepted; ?key=K looks one key up"},
	{"reset", []string{http.MethodPost}, "zero the counters, the ledger and the injected latency; answers 204"},
	{"config", []string{http.MethodGet, http.MethodPut}, "the behaviour in force; PUT a JSON Config to replace it"},
}

// admin serves the endpoints under AdminPrefix. They answer JSON with
// snake_case keys in a fixed order.
type admin struct {
	s       *Server
	started time.Time    // for uptime, on the monotonic clock
	resetAt atomic.Int64 // time since started of the last reset, in ns
	token   string       // what writes must carry; "" for loopback peers only
}

// adminHandler serves the admin endpoints of s: stats, ledger, reset and
// config. Start calls it once, after the ledger and the injected-latency
// recorder exist.
func (s *Server) adminHandler(token string) http.Handler {
	return &admin{s: s, started: time.Now(), token: token}
}

// AdminTokenEnv is the environment variable fanbench mock reads the admin
// token from when --admin-token is not given.
const AdminTokenEnv = "FANBENCH_ADMIN_TOKEN"

// mayWrite reports whether r may change the mock (PUT config, POST reset),
// answering 401 or 403 when it may not: with a token, r must carry it;
// without one, r must come from this machine.
func (a *admin) mayWrite(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	if a.token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(a.token)) == 1 {
			return true
		}
		writeJSON(w, http.StatusUnauthorized, orderedObject{{"error",
			"admin writes need the admin token the mock was started with: Authorization: Bearer TOKEN"}})
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err == nil && ip != nil && ip.IsLoopback() {
		return true
	}
	writeJSON(w, http.StatusForbidden, orderedObject{{"error", fmt.Sprintf(
		"admin writes are taken from this machine only, not from %s; start the mock with --admin-token (or %s) and send Authorization: Bearer TOKEN",
		host, AdminTokenEnv)}})
	return false
}

func (a *admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !a.mayWrite(w, r) {
		return
	}
	name := strings.TrimPrefix(r.URL.Path, AdminPrefix)
	if name == "" { // the index: what a curious curl finds
		if a.allow(w, r, http.MethodGet) {
			writeJSON(w, http.StatusOK, orderedObject{{"upstream", a.s.Name()}, {"endpoints", endpointList()}})
		}
		return
	}
	switch name {
	case "stats":
		if a.allow(w, r, http.MethodGet) {
			writeJSON(w, http.StatusOK, a.stats())
		}
	case "ledger":
		if a.allow(w, r, http.MethodGet) {
			a.ledger(w, r)
		}
	case "reset":
		if a.allow(w, r, http.MethodPost) {
			a.reset()
			w.WriteHeader(http.StatusNoContent)
		}
	case "config":
		if a.allow(w, r, http.MethodGet, http.MethodPut) {
			if r.Method == http.MethodPut {
				a.putConfig(w, r)
				return
			}
			writeJSON(w, http.StatusOK, a.s.Config())
		}
	default:
		writeJSON(w, http.StatusNotFound, orderedObject{
			{"error", fmt.Sprintf("no admin endpoint %s", r.URL.Path)},
			{"endpoints", endpointList()},
		})
	}
}

// endpointList describes every endpoint as "METHOD,… PATH: what it does".
func endpointList() []string {
	out := make([]string, len(adminEndpoints))
	for i, e := range adminEndpoints {
		out[i] = fmt.Sprintf("%s %s%s: %s", strings.Join(e.methods, ", "), AdminPrefix, e.name, e.what)
	}
	return out
}

// allow reports whether r's method is one of methods (HEAD goes with GET);
// otherwise it answers 405 with the Allow header.
func (a *admin) allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m || r.Method == http.MethodHead && m == http.MethodGet {
			return true
		}
	}
	allowed := strings.Join(methods, ", ")
	if methods[0] == http.MethodGet {
		allowed = strings.Replace(allowed, http.MethodGet, "GET, HEAD", 1)
	}
	w.Header().Set("Allow", allowed)
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{
		"error": fmt.Sprintf("%s %s: method not allowed; allowed: %s", r.Method, r.URL.Path, allowed),
	})
	return false
}

// reset zeroes the server's counters, the ledger and the injected latency.
func (a *admin) reset() {
	a.s.Reset()
	a.s.ledger.Reset()
	a.s.injected.Reset()
	a.resetAt.Store(int64(time.Since(a.started)))
}

// stats builds the stats document: the upstream's name and uptime, every
// field of Stats under its snake_case name (fields added to Stats appear
// without a change here), every 429 sent (sent_429: those of the rate limit,
// which Stats may count as rate_limited, and those of errors: {429: p}) and
// the injected latency.
func (a *admin) stats() orderedObject {
	up := time.Since(a.started)
	st := a.s.Stats()
	obj := orderedObject{
		{"upstream", a.s.Name()},
		{"uptime_s", seconds(up)},
		{"since_reset_s", seconds(up - time.Duration(a.resetAt.Load()))},
	}
	v := reflect.ValueOf(st)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if name := jsonName(f); name != "" {
			obj = append(obj, member{name, v.Field(i).Interface()})
		}
	}
	sent429 := st.Statuses[http.StatusTooManyRequests]
	if !obj.has("rate_limited") {
		obj = append(obj, member{"rate_limited", sent429})
	}
	return append(obj,
		member{"sent_429", sent429}, // of the rate limit and of errors: {429: …}
		member{"injected_latency", a.s.injected.Summary()})
}

// seconds rounds d to milliseconds, in seconds.
func seconds(d time.Duration) float64 { return d.Round(time.Millisecond).Seconds() }

// jsonName is the key of a struct field in the admin JSON: its json tag, or
// its Go name in snake_case; "" for a field to leave out.
func jsonName(f reflect.StructField) string {
	name := jsonFieldName(f)
	if name == f.Name && f.Tag.Get("json") == "" {
		return snakeCase(f.Name)
	}
	return name
}

// snakeCase spells a Go name in snake_case: InFlight → in_flight,
// RetryAfterHTTPDate → retry_after_http_date.
func snakeCase(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		upper := c >= 'A' && c <= 'Z'
		if upper && i > 0 {
			prevLower := r[i-1] >= 'a' && r[i-1] <= 'z' || r[i-1] >= '0' && r[i-1] <= '9'
			nextLower := i+1 < len(r) && r[i+1] >= 'a' && r[i+1] <= 'z'
			if prevLower || (r[i-1] >= 'A' && r[i-1] <= 'Z' && nextLower) {
				b.WriteByte('_')
			}
		}
		if upper {
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ledgerKey is the answer to GET /__fanbench/ledger?key=K.
type ledgerKey struct {
	Key        string `json:"key"`
	Seen       bool   `json:"seen"`
	Duplicated bool   `json:"duplicated"`
	Accepted   bool   `json:"accepted"`
}

func (a *admin) ledger(w http.ResponseWriter, r *http.Request) {
	if a.s.ledger == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "this mock upstream keeps no ledger (started with NoLedger)"})
		return
	}
	q := r.URL.Query()
	if _, ok := q["key"]; !ok {
		writeJSON(w, http.StatusOK, a.s.ledger.Snapshot())
		return
	}
	key := q.Get("key")
	if key == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "?key= is empty; give the Idempotency-Key to look up"})
		return
	}
	f := a.s.ledger.lookup(key)
	writeJSON(w, http.StatusOK, ledgerKey{
		Key:        key,
		Seen:       f&slotUsed != 0,
		Duplicated: f&slotDup != 0,
		Accepted:   f&slotAccepted != 0,
	})
}

// problem is one reason a PUT config was refused.
type problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Line and Column locate a problem of decoding in the body; 0 for a
	// problem of the config's values.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// putConfig replaces the behaviour with the Config in the body, or answers
// 400 listing every problem and leaves the behaviour alone.
func (a *admin) putConfig(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := a.s.readBody(w, r, &buf); err != nil {
		status, msg := http.StatusBadRequest, err.Error()
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status, msg = http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes", maxBodyBytes)
		} else if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			status = http.StatusRequestTimeout
		}
		writeJSON(w, status, map[string][]problem{"errors": {{Message: msg}}})
		return
	}
	body := buf.Bytes()
	c, problems := decodeConfig(body)
	if len(problems) == 0 {
		if err := a.s.SetConfig(c); err != nil {
			problems = fieldProblems(err)
		}
	}
	if len(problems) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string][]problem{"errors": problems})
		return
	}
	writeJSON(w, http.StatusOK, a.s.Config())
}

// fieldProblems lists the *draws.FieldError joined in err, in order.
func fieldProblems(err error) []problem {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]problem, 0, len(errs))
	for _, e := range errs {
		if fe, ok := errors.AsType[*draws.FieldError](e); ok {
			out = append(out, problem{Field: fe.Field, Message: fe.Msg})
		} else {
			out = append(out, problem{Message: e.Error()})
		}
	}
	return out
}

// writeJSON answers v as indented JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	w.Header()["Content-Type"] = contentJSON
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// orderedObject is a JSON object whose members keep their order.
type orderedObject []member

type member struct {
	key   string
	value any
}

func (o orderedObject) has(key string) bool {
	for _, m := range o {
		if m.key == key {
			return true
		}
	}
	return false
}

// MarshalJSON writes the members in order, leaving out any whose value
// cannot be marshalled rather than failing the whole document.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for _, m := range o {
		v, err := json.Marshal(m.value)
		if err != nil {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key) // a string always marshals
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonFieldName is the key of a field as encoding/json spells it: the json
// tag, or the Go name; "" for a field JSON leaves out.
func jsonFieldName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}
