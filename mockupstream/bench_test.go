package mockupstream

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

// quietConfig configures every feature so that none fires: the mock pays
// for checking each of them on every request.
func quietConfig() Config {
	return Config{
		Latency:    draws.Latency{Dist: draws.DistFixed, Value: 0},
		Errors:     map[int]units.Fraction{503: 0},
		Faults:     Faults{},
		RateLimit:  RateLimit{Rate: 1e9, Burst: 1_000_000},
		RetryAfter: RetryAfter{Format: RetrySeconds, Value: sec(1)},
		Capacity:   Capacity{Concurrency: 100_000, Queue: 100_000},
		Incidents:  []Incident{{Name: "later", From: sec(3600), To: sec(7200), LatencyScale: 10}},
	}
}

// benchClient is a client tuned for loopback load: enough idle connections
// for every goroutine, no compression.
func benchClient(conns int) (*http.Client, func()) {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}, tr.CloseIdleConnections
}

// startBare serves a bare net/http handler that answers 200 with a body of
// the mock's size, on loopback.
func startBare(b *testing.B) (string, func()) {
	body := []byte(`{"upstream":"profile","seq":12,"attempt":0}` + "\n")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = contentJSON
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: readHeaderWait}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }
}

// benchParallelism is RunParallel's goroutines per GOMAXPROCS: enough
// requests in flight to keep both the client and the server busy.
const benchParallelism = 8

// BenchmarkThroughput sends the same closed-loop load over loopback to a
// bare net/http handler and to the mock with every feature configured but
// not firing, alternating in rounds so that both meet the same machine, and
// reports both rates and their ratio (target: mock/bare ≥ 0.85). ns/op is
// for the whole set of rounds.
func BenchmarkThroughput(b *testing.B) {
	bareURL, stopBare := startBare(b)
	defer stopBare()
	srv, err := Start(Options{Name: "profile", Config: quietConfig()})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c, closeIdle := benchClient(benchParallelism * runtime.GOMAXPROCS(0))
	defer closeIdle()
	run := func(url string) time.Duration {
		var seq atomic.Uint64
		t0 := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			req, _ := http.NewRequest(http.MethodGet, url+"/users/1", nil)
			for pb.Next() {
				req.Header[draws.HeaderSeq] = []string{strconv.FormatUint(seq.Add(1), 10)}
				resp, err := c.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
		return time.Since(t0)
	}
	b.SetParallelism(benchParallelism)
	const rounds = 3
	var bare, mock time.Duration
	for i := range rounds {
		if i%2 == 0 {
			bare += run(bareURL)
			mock += run(srv.URL())
		} else {
			mock += run(srv.URL())
			bare += run(bareURL)
		}
	}
	n := float64(rounds * b.N)
	b.ReportMetric(n/bare.Seconds(), "bare-req/s")
	b.ReportMetric(n/mock.Seconds(), "mock-req/s")
	b.ReportMetric(bare.Seconds()/mock.Seconds(), "mock/bare")
}

// BenchmarkAccuracy sends 2,000 requests a second, open loop (each at its
// scheduled time, whatever the others do), for 2 s to a mock with a fixed
// 10 ms latency, and reports how much later than 10 ms the client sees the
// answers, at p50 and p99 (targets: under 1 ms and 3 ms), and the CPU the
// process used. Each iteration is one 2 s run.
func BenchmarkAccuracy(b *testing.B) {
	const (
		lat  = 10 * time.Millisecond
		rate = 2000
		span = 2 * time.Second
		n    = int(rate * span / time.Second)
	)
	srv, err := Start(Options{Name: "profile", Config: Config{Latency: draws.Latency{Value: units.Duration(lat)}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c, closeIdle := benchClient(256)
	defer closeIdle()
	excess := make([]time.Duration, n)
	for b.Loop() {
		// Warm the connection pool so the run measures the mock, not dials.
		var warm sync.WaitGroup
		for range 64 {
			warm.Go(func() { _ = benchGet(c, srv.URL(), 0) })
		}
		warm.Wait()
		cpu0 := cpuTime()
		t0 := time.Now()
		var wg sync.WaitGroup
		for i := range n {
			if wait := time.Until(t0.Add(time.Duration(i) * time.Second / rate)); wait > 0 {
				time.Sleep(wait)
			}
			wg.Go(func() {
				start := time.Now()
				if err := benchGet(c, srv.URL(), uint64(i)); err != nil {
					b.Error(err)
				}
				excess[i] = time.Since(start) - lat
			})
		}
		wg.Wait()
		cpu := cpuTime() - cpu0
		wall := time.Since(t0)
		slices.Sort(excess)
		b.ReportMetric(float64(excess[n/2].Microseconds()), "p50-over-µs")
		b.ReportMetric(float64(excess[n*99/100].Microseconds()), "p99-over-µs")
		b.ReportMetric(float64(excess[n-1].Microseconds()), "max-over-µs")
		b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu-%")
	}
}

func benchGet(c *http.Client, url string, seq uint64) error {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header[draws.HeaderSeq] = []string{strconv.FormatUint(seq, 10)}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Environment of the hang client: BenchmarkHang10k runs the test binary
// again as TestHangClientHelper, so that the client's connections count
// against its own file-descriptor limit and its memory is not the server's.
const (
	hangClientURL = "FANBENCH_HANG_CLIENT_ADDR"
	hangClientN   = "FANBENCH_HANG_CLIENT_N"
)

// BenchmarkHang10k holds 10,000 hanging requests at once and reports the
// server's memory per held request (heap and stacks, after a GC), then
// makes every client give up and checks that the server lets go of all of
// them. Each iteration is one hold and release.
func BenchmarkHang10k(b *testing.B) {
	n := 10_000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < uint64(n)+256 {
		n = int(lim.Cur) - 256
		b.Logf("the file-descriptor limit is %d: holding %d requests instead of 10,000 (nothing raised)", lim.Cur, n)
	}
	if n <= 0 {
		b.Skipf("the file-descriptor limit is %d: too low to hold requests", lim.Cur)
	}
	self, err := os.Executable()
	if err != nil {
		b.Skipf("cannot find the test binary to run the client: %v", err)
	}
	srv, err := Start(Options{Name: "hang", Config: Config{Faults: Faults{Hang: 1}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for b.Loop() {
		before := heapAndStacks()
		cmd := exec.Command(self, "-test.run=^TestHangClientHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), hangClientURL+"="+srv.URL()[len("http://"):], hangClientN+"="+strconv.Itoa(n))
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatalf("starting the hang client: %v", err)
		}
		ready := make(chan error, 1)
		go func() {
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err == nil && line != "ready\n" {
				err = fmt.Errorf("the hang client said %q", line)
			}
			ready <- err
			_, _ = io.Copy(io.Discard, stdout)
		}()
		if err := <-ready; err != nil {
			_ = stdin.Close()
			_ = cmd.Wait()
			b.Fatalf("hang client: %v", err)
		}
		if !waitFor(30*time.Second, func() bool { return srv.Stats().InFlight == int64(n) }) {
			b.Errorf("after 30s, %d of %d requests held", srv.Stats().InFlight, n)
		}
		held := time.Since(t0)
		perReq := float64(heapAndStacks()-before) / float64(n)
		t1 := time.Now()
		_ = stdin.Close() // the client closes every connection and exits
		if err := cmd.Wait(); err != nil {
			b.Errorf("hang client: %v", err)
		}
		if !waitFor(30*time.Second, func() bool { return srv.Stats().InFlight == 0 }) {
			b.Errorf("30s after the clients gave up, %d requests still in flight, want 0", srv.Stats().InFlight)
		}
		b.ReportMetric(perReq, "B/held-req")
		b.ReportMetric(float64(n), "held")
		b.ReportMetric(float64(held.Milliseconds()), "hold-ms")
		b.ReportMetric(float64(time.Since(t1).Milliseconds()), "release-ms")
	}
}

// heapAndStacks is the memory the process holds in live heap objects and
// goroutine stacks, after a collection.
func heapAndStacks() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc + m.StackInuse)
}

// waitFor polls cond every millisecond for up to limit.
func waitFor(limit time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestHangClientHelper is the client of BenchmarkHang10k, run in a child
// process: it opens N connections, sends a request on each, says "ready",
// and closes them all when its stdin closes.
func TestHangClientHelper(t *testing.T) {
	addr := os.Getenv(hangClientURL)
	if addr == "" {
		t.Skip("the client process of BenchmarkHang10k; runs only from there")
	}
	n, err := strconv.Atoi(os.Getenv(hangClientN))
	if err != nil {
		t.Fatal(err)
	}
	conns := make([]net.Conn, n)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var d net.Dialer
	var wg sync.WaitGroup
	var failed atomic.Int64
	req := []byte("GET /hang HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")
	const dialers = 16
	for w := range dialers {
		wg.Go(func() {
			for i := w; i < n; i += dialers {
				c, err := d.DialContext(ctx, "tcp", addr)
				if err == nil {
					_, err = c.Write(req)
				}
				if err != nil {
					failed.Add(1)
					continue
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		t.Fatalf("%d of %d connections failed", f, n)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		_ = c.Close()
	}
}
