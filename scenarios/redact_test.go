package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/strategies"
)

func TestIsSecretHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"Authorization", true},
		{"authorization", true},
		{"Proxy-Authorization", true},
		{"Cookie", true},
		{"Set-Cookie", true},
		{"X-Api-Key", true},
		{"Api-Key", true},
		{"X-Auth-Token", true},
		{"X-CSRF-TOKEN", true},
		{"Client-Secret", true},
		{"X-Password", true},
		{"x-passwd", true},
		{"ApiKey", true},
		{"X-Api_Key", true},
		{"Accept", false},
		{"Content-Type", false},
		{"X-Request-Id", false},
		{"Idempotency-Key", false},
	}
	for _, tt := range tests {
		if got := IsSecretHeader(tt.name); got != tt.want {
			t.Errorf("IsSecretHeader(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text    string
		secrets []string
		want    string
	}{
		{"nothing here", []string{"s3cr3t"}, "nothing here"},
		{"token s3cr3t and s3cr3t again", []string{"s3cr3t"}, "token [redacted] and [redacted] again"},
		{"abcdef", []string{"abcd", "cdef"}, "[redacted]"}, // overlapping: no tail left
		{"abcdxyzw", []string{"abcd", "xyzw"}, "[redacted]"},
		{"aaaaa", []string{"aaaa"}, "[redacted]"},
		{"x-abcd-y", []string{"abcd", ""}, "x-[redacted]-y"},
		{"", []string{"abcd"}, ""},
		{"abcd", nil, "abcd"},
	}
	for _, tt := range tests {
		if got := redact(tt.text, tt.secrets); got != tt.want {
			t.Errorf("redact(%q, %q) = %q, want %q", tt.text, tt.secrets, got, tt.want)
		}
	}
}

const secretScenario = `name: secrets
upstreams:
  real:
    url: https://user:hunter2@api.example.com/v1
    headers: {Authorization: "Bearer ${TOKEN}", Accept: application/json}
  audit:
    url: https://audit.example.com
    headers: {X-Api-Key: k1}
operation:
  calls:
    - upstream: real
      path: /t/${TENANT}/orders
      headers: {Cookie: "session=${SESSION}", X-Trace: "${P}"}
      compensate: {upstream: real, path: /undo, headers: {X-Auth-Token: literal-token}}
    - {upstream: audit, method: POST, body: '{"who": "${TENANT}"}'}
strategies: [fanout]
load: {rate: 10/s, duration: 1s}
`

var secretEnv = map[string]string{"TOKEN": "s3cr3t-t0ken", "TENANT": "acme-42", "SESSION": "sess-9f8e", "P": "80",
	FingerprintKeyEnv: "ci-secret"}

func parseSecretScenario(t *testing.T) *Scenario {
	t.Helper()
	s, err := Parse("secrets.yaml", []byte(secretScenario), WithEnv(mapEnv(secretEnv)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	s := parseSecretScenario(t)
	want := []string{
		"Bearer s3cr3t-t0ken", "session=sess-9f8e", "literal-token", "s3cr3t-t0ken", "sess-9f8e", "acme-42", "hunter2",
	}
	if got := s.Secrets(); !slices.Equal(got, want) {
		t.Errorf("Secrets() = %q, want %q (longest first; k1 and 80 too short)", got, want)
	}
	if got := (*Scenario)(nil).Secrets(); got != nil {
		t.Errorf("nil Secrets() = %q, want nil", got)
	}
	built := &Scenario{Operation: Operation{Calls: []Call{{Headers: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}}}}}
	if got := built.Redact("sent Basic dXNlcjpwYXNz and dXNlcjpwYXNz"); got != "sent [redacted] and [redacted]" {
		t.Errorf("Redact of a scenario built in code = %q", got)
	}
}

func TestRedactedJSON(t *testing.T) {
	t.Parallel()
	s := parseSecretScenario(t)
	got, err := s.RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	text := string(got)
	tenant := mustKey(t, "ci-secret").Mark("acme-42")
	for _, secret := range []string{"hunter2", "s3cr3t-t0ken", "acme-42", "sess-9f8e", "literal-token", `"k1"`, "ci-secret"} {
		if strings.Contains(text, secret) {
			t.Errorf("RedactedJSON holds the secret %s:\n%s", secret, text)
		}
	}
	for _, want := range []string{
		`"url":"https://user:xxxxx@api.example.com/v1"`,
		`"Accept":"application/json"`,
		`"Authorization":"[redacted]"`,
		`"X-Api-Key":"[redacted]"`,
		`"Cookie":"[redacted]"`,
		`"X-Auth-Token":"[redacted]"`,
		`"X-Trace":"80"`, // too short to be told from text
		`"path":"/t/` + tenant + `/orders"`,
		`"body":"{\"who\": \"` + tenant + `\"}"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("RedactedJSON lacks %s:\n%s", want, text)
		}
	}
	plain, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if gk, pk := jsonKeys(t, got), jsonKeys(t, plain); !slices.Equal(gk, pk) {
		t.Errorf("RedactedJSON keys %q, want json.Marshal's %q", gk, pk)
	}
	if s.Upstreams[0].URL != "https://user:hunter2@api.example.com/v1" || s.Upstreams[0].Headers["Authorization"] != "Bearer s3cr3t-t0ken" ||
		s.Operation.Calls[0].Compensate.Headers["X-Auth-Token"] != "literal-token" {
		t.Error("RedactedJSON changed the scenario")
	}
}

// A key is the format, never redacted, even when it matches a secret.
func TestRedactedJSONKeepsKeys(t *testing.T) {
	t.Parallel()
	k := mustKey(t, "ci-secret")
	s := &Scenario{Name: "name", envSecrets: []string{"name", "upstream"},
		Operation: Operation{Calls: []Call{{Upstream: "upstream"}}}, fingerprint: k}
	got, err := s.RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte(`{"name":"`+k.Mark("name")+`",`)) || !bytes.Contains(got, []byte(`{"upstream":"`+k.Mark("upstream")+`",`)) {
		t.Errorf("RedactedJSON = %s; want keys kept and values redacted", got)
	}
}

// jsonKeys lists the object keys of a JSON text in order.
func jsonKeys(t *testing.T, data []byte) []string {
	t.Helper()
	type frame struct{ object, wantKey bool }
	var keys []string
	var stack []frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return keys
		}
		if err != nil {
			t.Fatalf("invalid JSON %s: %v", data, err)
		}
		if n := len(stack); n > 0 && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				keys = append(keys, key)
				stack[n-1].wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

func TestRedactError(t *testing.T) {
	t.Parallel()
	s := parseSecretScenario(t)
	cause := &fs.PathError{Op: "open", Path: "/t/acme-42/x", Err: fs.ErrNotExist}
	got := s.RedactError(cause)
	if strings.Contains(got.Error(), "acme-42") || !errors.Is(got, fs.ErrNotExist) {
		t.Errorf("RedactError(%v) = %v; want the tenant hidden and still fs.ErrNotExist", cause, got)
	}
	if plain := errors.New("no secret"); s.RedactError(plain) != plain {
		t.Error("RedactError of an error without a secret is not the error itself")
	}
	if s.RedactError(nil) != nil {
		t.Error("RedactError(nil) != nil")
	}
}

// A queued strategy's broker credentials, written in the file or taken
// from the environment, never reach a result: the URL's password is
// masked, the token replaced, and both are among the secrets redacted
// from messages.
func TestRedactedJSONBrokerCredentials(t *testing.T) {
	t.Parallel()
	src := `name: q
upstreams: {a: {mock: {latency: 1ms}}}
operation: {calls: [{upstream: a}]}
strategies:
  - {name: queued, label: ext, broker: {kind: jetstream, url: "nats://fanbench:literal-pw-1@127.0.0.1:4222", token: "${NATS_TOKEN}"}}
  - {name: queued, label: tok, broker: {kind: jetstream, url: "nats://bare-token-99@127.0.0.1:4222"}}
  - queued
load: {rate: 1/s, duration: 1s}
`
	s, err := Parse("q.yaml", []byte(src), WithEnv(func(string) (string, bool) { return "env-token-42", true }))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	text := string(got)
	for _, secret := range []string{"literal-pw-1", "env-token-42", "bare-token-99"} {
		if strings.Contains(text, secret) {
			t.Errorf("RedactedJSON holds the secret %s:\n%s", secret, text)
		}
		if red := s.Redact("dial " + secret + " failed"); strings.Contains(red, secret) {
			t.Errorf("Redact kept %s: %s", secret, red)
		}
	}
	for _, want := range []string{`"url":"nats://fanbench:xxxxx@127.0.0.1:4222"`, `"token":"[redacted]"`, `"url":"nats://xxxxx@127.0.0.1:4222"`,
		`{"name":"queued","consumers":16,"capacity":100000,"when_full":"block","drain":"30s"}`} {
		if !strings.Contains(text, want) {
			t.Errorf("RedactedJSON lacks %s:\n%s", want, text)
		}
	}
	if b := s.Strategies[0].Options.(*strategies.QueueOptions).Broker; b.Token != "env-token-42" || !strings.Contains(b.URL, "literal-pw-1") {
		t.Errorf("RedactedJSON changed the scenario's broker: %+v", b)
	}
}

// TestQuerySecretsRedacted: the values of query parameters named like
// credentials, in upstream URLs and call paths, are redacted in the
// scenario a result records (whatever their length) and in messages.
func TestQuerySecretsRedacted(t *testing.T) {
	t.Parallel()
	s, err := Parse("q.yaml", []byte(`name: q
upstreams:
  partner: {url: "https://api.example.com/v1?api_key=abcd1234&region=eu&sig=xy"}
operation:
  calls:
    - {upstream: partner, path: "/users/{{.Seq}}?access_token=s3cr3tvalue&page=2&X-Amz-Signature=f00d"}
strategies: [fanout]
load: {rate: 10/s, duration: 1s}
`))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	got := string(raw)
	for _, secret := range []string{"abcd1234", "sig=xy", "s3cr3tvalue", "f00d"} {
		if strings.Contains(got, secret) {
			t.Errorf("RedactedJSON holds %q: %s", secret, got)
		}
	}
	for _, kept := range []string{"api_key=[redacted]", "region=eu", "sig=[redacted]", "access_token=[redacted]", "page=2", "X-Amz-Signature=[redacted]"} {
		if !strings.Contains(got, kept) {
			t.Errorf("RedactedJSON lacks %q: %s", kept, got)
		}
	}
	msg := s.Redact(`Get "https://api.example.com/v1?api_key=abcd1234&region=eu": dial tcp: i/o timeout`)
	if strings.Contains(msg, "abcd1234") {
		t.Errorf("Redact left the key in %q", msg)
	}
	for name, want := range map[string]bool{"api_key": true, "TOKEN": true, "sig": true, "key": true, "client_secret": true,
		"sessionid": true, "region": false, "page": false, "keyboard": false} {
		if got := IsSecretQueryParam(name); got != want {
			t.Errorf("IsSecretQueryParam(%q) = %v, want %v", name, got, want)
		}
	}
}
