package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The queued strategy on JetStream from the command line: a bad broker
// option exits 2 naming its line and key; an external server that does
// not answer exits 3 before any load, naming the URL without its
// password; the embedded server runs a short load to the end.
//
// Not parallel: it sets an environment variable.
func TestRunJetStreamBroker(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	dir := t.TempDir()
	scenario := func(name, broker string) string {
		file := filepath.Join(dir, name+".yaml")
		src := `name: ` + name + `
upstreams: {payment: {mock: {latency: 2ms}}}
operation: {calls: [{upstream: payment, method: POST, path: "/charges/{{.Seq}}", critical: true}]}
strategies:
  - fanout
  - {name: queued, label: js, consumers: 2, broker: ` + broker + `}
load: {rate: 20/s, duration: 500ms}
`
		if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	bad := scenario("bad", "{kind: jetstream, storage: ssd}")
	down := scenario("down", `{kind: jetstream, url: "nats://fanbench:${FANBENCH_TEST_NATS_PASSWORD}@`+addr+`"}`)
	embedded := scenario("embedded", "{kind: jetstream, storage: memory}")
	t.Setenv("FANBENCH_TEST_NATS_PASSWORD", "hunter2-from-env")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"bad option", []string{"run", bad}, 2, nil, []string{bad + ":6:", "strategies[1].broker.storage", `unknown storage "ssd"`, "file, memory"}},
		{"unreachable server", []string{"run", down, "-q"}, 3, nil, []string{"strategy js", "nats://fanbench:xxxxx@" + addr}},
		{"embedded", []string{"run", embedded, "-q", "--wide"}, 0, []string{"js", "jetstream memory sync, embedded", "publish ack p50"}, nil},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := Main(t.Context(), tt.args, &stdout, &stderr)
		if code != tt.wantCode {
			t.Errorf("fanbench %s exited %d, want %d\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), code, tt.wantCode, &stdout, &stderr)
		}
		for _, want := range tt.wantStdout {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%s: stdout lacks %q:\n%s", tt.name, want, &stdout)
			}
		}
		for _, want := range tt.wantStderr {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("%s: stderr lacks %q:\n%s", tt.name, want, &stderr)
			}
		}
		if out := stdout.String() + stderr.String(); strings.Contains(out, "hunter2") {
			t.Errorf("%s: the password from the environment is in the output:\n%s", tt.name, out)
		}
		if tt.name == "unreachable server" && strings.Contains(stderr.String(), "running fanout") {
			t.Errorf("the load started before the broker was checked:\n%s", &stderr)
		}
	}
}
