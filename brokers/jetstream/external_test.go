package jetstream

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanbench/fanbench/strategies"
)

// startServerProcess builds nats-server from the module this one requires
// and starts it as a separate process with JetStream, on a free loopback
// port, as a user would run it (nats-server -js). It returns the client
// URL. Building takes about a minute without a build cache.
func startServerProcess(t *testing.T, args ...string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build nats-server: %v", err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "nats-server")
	build := exec.CommandContext(t.Context(), goBin, "build", "-o", bin, "github.com/nats-io/nats-server/v2")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build nats-server: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, append([]string{"-js", "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-sd", filepath.Join(dir, "store"), "-n", "fanbench-test"}, args...)...)
	logFile, err := os.Create(filepath.Join(dir, "nats-server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logFile.Close()
		if t.Failed() {
			log, _ := os.ReadFile(logFile.Name())
			t.Logf("nats-server's log:\n%s", log)
		}
	})
	url := "nats://127.0.0.1:" + strconv.Itoa(port)
	for end := time.Now().Add(20 * time.Second); ; {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			_ = c.Close()
			return url
		}
		if time.Now().After(end) {
			t.Fatalf("nats-server did not listen on %s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Against a nats-server process: the check passes with the right token
// and fails with the wrong one (naming the server, not the token); the
// queue delivers through it; the stream is deleted afterwards, or kept
// with keep: true.
func TestExternalServer(t *testing.T) {
	t.Parallel()
	const token = "s3cret-token-for-tests"
	url := startServerProcess(t, "--auth", token)
	spec := jsSpec(func(s *strategies.BrokerSpec) { s.URL, s.Token = url, token })

	if err := strategies.CheckBroker(t.Context(), spec); err != nil {
		t.Fatalf("CheckBroker(%s) = %v", url, err)
	}
	bad := spec
	bad.Token = "wrong-token-value"
	if err := strategies.CheckBroker(t.Context(), bad); err == nil || !strings.Contains(err.Error(), url) || strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("CheckBroker(wrong token) = %v; want an error naming %s, not the token", err, url)
	}

	for _, keep := range []bool{false, true} {
		spec := spec
		spec.Keep = keep
		sb, err := strategies.NewBroker(t.Context(), spec, strategies.BrokerRun{Scenario: "ext", Strategy: "queued", RunID: "k" + strconv.FormatBool(keep), Capacity: 100})
		if err != nil {
			t.Fatal(err)
		}
		b := sb.(*Broker)
		c := subscribe(t, b)
		for seq := range uint64(5) {
			if err := b.Publish(t.Context(), strategies.Message{Seq: seq}); err != nil {
				t.Fatal(err)
			}
			d := next(t, c, 5*time.Second)
			if err := c.Ack(d); err != nil {
				t.Fatal(err)
			}
		}
		_ = c.Close()
		_ = b.Close()
		r, h := b.Report()
		if r.Server != url || r.Published != 5 || h.Count() != 5 || r.Version == "" || r.CPUSeconds != nil {
			t.Errorf("Report = %+v; want server %s, 5 published, a version, no CPU (not in the process)", r, url)
		}

		nc, err := nats.Connect(url, nats.Token(token))
		if err != nil {
			t.Fatal(err)
		}
		js, _ := jetstream.New(nc)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		_, err = js.Stream(ctx, r.Stream)
		cancel()
		nc.Close()
		if keep && err != nil {
			t.Errorf("keep: true: stream %s = %v, want it kept", r.Stream, err)
		}
		if !keep && !errors.Is(err, jetstream.ErrStreamNotFound) {
			t.Errorf("stream %s after the run = %v, want it deleted", r.Stream, err)
		}
	}
}
