package natsembed

import (
	"os"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A server listening on loopback takes clients by URL, keeps its port
// across a restart, and leaves no store behind unless kept.
func TestStartListenRestartStop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		listen string
		keep   bool
	}{
		{"in-process", "", false},
		{"loopback", "127.0.0.1:0", false},
		{"kept", "127.0.0.1:0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits about 2 s for its client's reconnection
			s, err := Start(Options{Listen: tt.listen, Keep: tt.keep})
			if err != nil {
				t.Fatal(err)
			}
			url := s.URL()
			if (url == "") != (tt.listen == "") || url != "" && !strings.HasPrefix(url, "nats://127.0.0.1:") {
				t.Fatalf("URL() = %q with listen %q", url, tt.listen)
			}
			opts := []nats.Option{nats.MaxReconnects(-1)}
			if url == "" {
				opts = append(opts, nats.InProcessServer(s))
			}
			nc, err := nats.Connect(url, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Restart(); err != nil {
				t.Fatal(err)
			}
			if s.URL() != url || s.Restarts() != 1 {
				t.Errorf("after a restart: URL %q (was %q), %d restarts; want the same URL and 1", s.URL(), url, s.Restarts())
			}
			if err := nc.FlushTimeout(10e9); err != nil {
				t.Errorf("the client did not reconnect after the restart: %v", err)
			}
			nc.Close()
			s.Stop()
			s.Stop() // twice is fine
			_, err = os.Stat(s.StoreDir())
			if kept := err == nil; kept != tt.keep {
				t.Errorf("store %s kept %v, want %v", s.StoreDir(), kept, tt.keep)
			}
			if tt.keep {
				_ = os.RemoveAll(s.StoreDir())
			}
		})
	}
}

func TestStartRejectsBadListen(t *testing.T) {
	for _, listen := range []string{"127.0.0.1", "127.0.0.1:port"} {
		if s, err := Start(Options{Listen: listen}); err == nil {
			s.Stop()
			t.Errorf("Start(listen %q) succeeded", listen)
		}
	}
}
