package jetstream

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/fanbench/fanbench/strategies"
)

func TestBodyRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		seq      uint64
		call     int
		intended time.Time
	}{
		{0, 0, time.Unix(0, 0)},
		{42, 3, time.Unix(1700000000, 123456789)},
		{math.MaxUint64, 1 << 20, time.Unix(0, math.MaxInt64)},
	}
	for _, tt := range tests {
		b := appendBody(nil, tt.seq, tt.call, tt.intended)
		if len(b) != bodySize {
			t.Errorf("appendBody(%d, %d) is %d bytes, want %d", tt.seq, tt.call, len(b), bodySize)
		}
		seq, call, intended, err := parseBody(b)
		if err != nil || seq != tt.seq || call != tt.call || !intended.Equal(tt.intended) {
			t.Errorf("parseBody(appendBody(%d, %d, %v)) = %d, %d, %v, %v", tt.seq, tt.call, tt.intended, seq, call, intended, err)
		}
	}
	for _, bad := range [][]byte{nil, {}, {2}, make([]byte, bodySize), append(appendBody(nil, 1, 1, time.Now()), 0),
		appendBody(nil, 1, 1<<21, time.Now())} {
		if _, _, _, err := parseBody(bad); !errors.Is(err, errBody) {
			t.Errorf("parseBody(%x) = %v, want errBody", bad, err)
		}
	}
}

// FuzzParseBody: a body never panics the parser, and one it accepts
// writes back the same bytes.
func FuzzParseBody(f *testing.F) {
	f.Add(appendBody(nil, 1, 2, time.Unix(3, 4)))
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		seq, call, intended, err := parseBody(b)
		if err != nil {
			return
		}
		if again := appendBody(nil, seq, call, intended); !bytes.Equal(again, b) {
			t.Errorf("parseBody(%x) = %d, %d, %v; which writes back as %x", b, seq, call, intended, again)
		}
	})
}

func TestNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec strategies.BrokerSpec
		run  strategies.BrokerRun
		want names
	}{
		{strategies.BrokerSpec{}, strategies.BrokerRun{Scenario: "queued-jetstream", Strategy: "queued-js file", RunID: "k3x"},
			names{"fanbench_queued-jetstream_queued-js_file_k3x", "fanbench_consumers", "fanbench.queued.fanbench_queued-jetstream_queued-js_file_k3x"}},
		{strategies.BrokerSpec{}, strategies.BrokerRun{Scenario: "a.b*c>d/é", Strategy: "", RunID: ""},
			names{"fanbench_a_b_c_d___x_x", "fanbench_consumers", "fanbench.queued.fanbench_a_b_c_d___x_x"}},
		{strategies.BrokerSpec{Stream: "ORDERS", Consumer: "workers"}, strategies.BrokerRun{Scenario: "s"},
			names{"ORDERS", "workers", "fanbench.queued.ORDERS"}},
	}
	for _, tt := range tests {
		if got := namesFor(tt.spec, tt.run); got != tt.want {
			t.Errorf("namesFor(%+v, %+v) = %+v, want %+v", tt.spec, tt.run, got, tt.want)
		}
	}
	long := namesFor(strategies.BrokerSpec{}, strategies.BrokerRun{Scenario: string(make([]byte, 500)), Strategy: "s", RunID: "r"})
	if len(long.stream) > 120 || (strategies.BrokerSpec{Kind: strategies.BrokerJetStream, Stream: long.stream}).Validate("b") != nil {
		t.Errorf("a long scenario name gives stream %q (%d bytes); want a valid name of at most 120 bytes", long.stream, len(long.stream))
	}
}

// The CPU of labelled goroutines is summed from a real profile of this
// process.
func TestCPUByLabel(t *testing.T) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Skipf("another CPU profile runs: %v", err)
	}
	spin := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); {
		}
	}
	done := make(chan struct{})
	under(labelServer, func() {
		go func() { // inherits the label
			spin(300 * time.Millisecond)
			close(done)
		}()
	})
	<-done
	pprof.StopCPUProfile()
	by, err := cpuByLabel(buf.Bytes(), labelKey)
	if err != nil {
		t.Fatal(err)
	}
	if s := by[labelServer]; s < 0.05 || s > 1 {
		t.Errorf("CPU of the labelled goroutine = %.3f s, want about 0.3 s (%v)", s, by)
	}
	if _, err := cpuByLabel([]byte("not gzip"), labelKey); !errors.Is(err, errProfile) {
		t.Errorf("cpuByLabel(garbage) = %v, want errProfile", err)
	}
}

// FuzzCPUByLabel: no gzipped bytes panic the profile reader.
func FuzzCPUByLabel(f *testing.F) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		_, _ = w.Write(b)
		_ = w.Close()
		return buf.Bytes()
	}
	// sample_type {type: 1}, sample {value: [5], label {key: 2, str: 3}},
	// strings "", "cpu", "fanbench", "nats-server".
	f.Add([]byte{0x0a, 0x02, 0x08, 0x01, 0x12, 0x07, 0x12, 0x01, 0x05, 0x1a, 0x04, 0x08, 0x02, 0x10, 0x03,
		0x32, 0x00, 0x32, 0x03, 'c', 'p', 'u', 0x32, 0x08, 'f', 'a', 'n', 'b', 'e', 'n', 'c', 'h',
		0x32, 0x0b, 'n', 'a', 't', 's', '-', 's', 'e', 'r', 'v', 'e', 'r'})
	f.Add([]byte{0x12, 0xff})
	f.Fuzz(func(t *testing.T, raw []byte) {
		by, err := cpuByLabel(gz(raw), labelKey)
		if err != nil && by != nil {
			t.Errorf("cpuByLabel(%x) = %v with an error %v", raw, by, err)
		}
	})
}
