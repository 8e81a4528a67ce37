package faults

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// addressSpaceKiB is the address space fanbench gets in TestMemoryBounds:
// a small machine's worth. The Go runtime reserves about 0.8 GiB of it at
// start; a data table of a million rows needs about 1.9 GiB in all.
const addressSpaceKiB = 2_500_000

// TestMemoryBounds: under a limit of its address space (ulimit -v) and
// GOMEMLIMIT, fanbench refuses what used to exhaust memory (a 50 MiB
// scenario of small values took 6 GiB before dying; absurd sizes allocated
// until the runtime died) with exit code 2 and a message, not a Go fatal
// error, and still loads the largest legitimate input: a data file of a
// million rows.
func TestMemoryBounds(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("ulimit -v bounds the address space on Linux")
	}
	dir := t.TempDir()
	big := func(name string, fill func(w *bufio.Writer)) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		fill(w)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	// The files are written a line or a MiB at a time, appended into one
	// buffer: millions of small writes under the race detector took seconds.
	lines := func(w *bufio.Writer, n int, line func(b []byte, i int) []byte) {
		b := make([]byte, 0, 1<<16)
		for i := range n {
			if b = line(b, i); len(b) > 1<<16-64 {
				w.Write(b)
				b = b[:0]
			}
		}
		w.Write(b)
	}
	big("values.yaml", func(w *bufio.Writer) { // 50 MiB of small values
		w.WriteString(scenario() + "x-values: [")
		mib := bytes.Repeat([]byte("0,"), 1<<19)
		for range 50 {
			w.Write(mib)
		}
		w.WriteString("0]\n")
	})
	big("upstreams.yaml", func(w *bufio.Writer) { // a million upstreams
		w.WriteString(strings.Replace(scenario(), "upstreams:\n  api: {mock: {latency: 1ms}}\n", "", 1) + "upstreams:\n")
		lines(w, 1_000_000, func(b []byte, i int) []byte { // "  u%d: {mock: {}}\n"
			return append(strconv.AppendInt(append(b, "  u"...), int64(i), 10), ": {mock: {}}\n"...)
		})
	})
	big("users.csv", func(w *bufio.Writer) { // the largest legitimate table
		w.WriteString("user,plan,region\n")
		lines(w, 1_000_000, func(b []byte, i int) []byte { // "user-%d,plan-%d,eu-west-%d\n", i, i%7, i%3
			b = strconv.AppendInt(append(b, "user-"...), int64(i), 10)
			b = strconv.AppendInt(append(b, ",plan-"...), int64(i%7), 10)
			return append(strconv.AppendInt(append(b, ",eu-west-"...), int64(i%3), 10), '\n')
		})
	})
	data := "operation: {calls: [{upstream: api, path: \"/{{.Data.user}}/{{.Data.plan}}\"}]}"
	write(t, dir, "table.yaml", scenario("data: {csv: users.csv}", data))
	write(t, dir, "sizes.yaml", scenario(
		"strategies: [{name: pooled, workers: 1000000000, queue: 1000000000000}, {name: queued, consumers: 1000000000, capacity: 1000000000000}]"))
	write(t, dir, "users.yaml", scenario("load: {model: closed, users: 1000000000, duration: 1s}"))
	write(t, dir, "zero.yaml", scenario("data: {csv: /dev/zero}", data))
	write(t, dir, "ca.yaml", scenario("upstreams: {api: {url: \"https://127.0.0.1:9\", tls: {ca_file: /dev/zero}}}"))

	env := []string{"GOMEMLIMIT=512MiB"}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate", "values.yaml"}, 2, "values.yaml: the file is 50 MiB; a scenario file may be at most 4 MiB"},
		{[]string{"validate", "upstreams.yaml"}, 2, "upstreams.yaml: the file is 20.9 MiB; a scenario file may be at most 4 MiB"},
		{[]string{"run", "sizes.yaml"}, 2, "strategies[0].workers: 1000000000 workers need about 59.6 TiB"},
		{[]string{"run", "users.yaml"}, 2, "load.users: 1000000000 users need about 59.6 TiB"},
		{[]string{"validate", "zero.yaml"}, 2, "data.csv: /dev/zero, line 1: longer than 64 KiB"},
		{[]string{"validate", "ca.yaml"}, 2, "/dev/zero is larger than the limit of 1 MiB for a certificate or key file"},
		{[]string{"validate", "table.yaml"}, 0, ""},
	} {
		r := runLimited(t, dir, addressSpaceKiB, env, tt.args...)
		if r.code != tt.code || crashed(r.stderr) || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("fanbench %s under %d KiB: exit %d in %v, want %d and %q\n%.2000s",
				strings.Join(tt.args, " "), addressSpaceKiB, r.code, r.took, tt.code, tt.want, r.stderr)
		}
	}
}
