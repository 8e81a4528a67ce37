package scenarios

import (
	"strings"
	"testing"
	"time"
)

func mapEnv(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// Expansion works on values wherever they sit (block and flow mappings,
// lists, anchors used through aliases and merge keys), never on keys.
func TestParseExpandsValues(t *testing.T) {
	t.Parallel()
	src := `name: ${NAME:-env-test}
x-base: &base {latency: "${LAT}"}
x-${KEY}: ignored
upstreams:
  api: {mock: *base}
  real:
    url: "https://${HOST}/v1"
    headers:
      Authorization: "Bearer ${TOKEN}"
operation:
  calls:
    - {upstream: api, path: "/u/$${X}"}
    - upstream: real
      path: /x
strategies: ["${STRAT}", sequential]
load:
  <<: {duration: "${DUR}"}
  rate: ${RATE}/s
`
	env := map[string]string{"LAT": "20ms", "HOST": "api.example.com", "TOKEN": "s3cr3t-t0ken",
		"STRAT": "fanout", "RATE": "50", "DUR": "2s", "KEY": "never"}
	s, err := Parse("f.yaml", []byte(src), WithEnv(mapEnv(env)))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"name", s.Name, "env-test"},
		{"latency through an alias", s.Upstreams[0].Mock.Latency.Value.D(), 20 * time.Millisecond},
		{"url", s.Upstreams[1].URL, "https://api.example.com/v1"},
		{"header", s.Upstreams[1].Headers["Authorization"], "Bearer s3cr3t-t0ken"},
		{"escaped path", s.Operation.Calls[0].Path, "/u/${X}"},
		{"strategy in a list", s.Strategies[0].Name, "fanout"},
		{"duration through a merge key", s.Load.Duration.D(), 2 * time.Second},
		{"rate in a larger value", s.Load.Rate.PerSecond(), 50.0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Parse: %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	secrets := strings.Join(s.Secrets(), ",")
	for _, want := range []string{"s3cr3t-t0ken", "api.example.com", "fanout", "20ms"} {
		if !strings.Contains(secrets, want) {
			t.Errorf("Secrets() = %s, want it to hold %q", secrets, want)
		}
	}
	for _, short := range []string{"50", "2s"} {
		for _, sec := range s.Secrets() {
			if sec == short {
				t.Errorf("Secrets() holds the short value %q", short)
			}
		}
	}
}

// Every problem is reported at once, at its value's line and column, with
// the field path; a value taken from the environment and quoted back in
// another error is redacted.
func TestExpandErrors(t *testing.T) {
	t.Parallel()
	src := `name: t
upstreams:
  api:
    url: https://api.example.com
    headers: {Authorization: "Bearer ${API_TOKEN}"}
operation:
  calls: [{upstream: api, path: "/p/${1P}"}]
strategies: [fanout, "${STRAT"]
load: {rate: "${RATE}", duration: 1s}
`
	_, err := Parse("f.yaml", []byte(src), WithEnv(mapEnv(map[string]string{"RATE": "very-fast"})))
	if err == nil {
		t.Fatal("Parse succeeded, want errors")
	}
	want := `f.yaml:5:30: upstreams.api.headers.Authorization: ${API_TOKEN} is not set; export it or write ${API_TOKEN:-default}
f.yaml:7:33: operation.calls[0].path: ${1P}: "1P" is not a variable name, which is letters, digits and _, not starting with a digit; write ${NAME} or ${NAME:-default}, or $$ for a literal $
f.yaml:8:22: strategies[1]: "${STRAT" has no closing }; write ${NAME} or ${NAME:-default}, or $$ for a literal $
f.yaml:9:14: load.rate: "[redacted]" is not a rate; write it as a number per unit, like 500/s or 30/m`
	if got := err.Error(); got != want {
		t.Errorf("Parse error:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseUpstreamsExpands(t *testing.T) {
	t.Parallel()
	src := "upstreams:\n  api: {mock: {latency: \"${LAT:-5ms}\"}}\n  b: {mock: {latency: \"${MISSING}\"}}\n"
	_, err := ParseUpstreams("m.yaml", []byte(src), WithEnv(mapEnv(nil)))
	want := "m.yaml:3:23: upstreams.b.mock.latency: ${MISSING} is not set; export it or write ${MISSING:-default}"
	if err == nil || err.Error() != want {
		t.Fatalf("ParseUpstreams error = %v, want %s", err, want)
	}
	f, err := ParseUpstreams("m.yaml", []byte(src), WithEnv(mapEnv(map[string]string{"MISSING": "7ms"})))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Upstreams[0].Mock.Latency.Value.D() + f.Upstreams[1].Mock.Latency.Value.D(); got != 12*time.Millisecond {
		t.Errorf("latencies add up to %v, want 12ms", got)
	}
}
