package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// errNoWrk says wrk is not installed; the capacity check then skips it.
var errNoWrk = errors.New("wrk is not installed (Debian: apt-get install wrk)")

// wrkScript makes wrk send the capacity check's POST, and print its exact
// totals when done, beside its rounded summary.
const wrkScript = `wrk.method = "POST"
wrk.body = %q
wrk.headers["Content-Type"] = "application/json"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("fanbench-wrk: requests %%d duration_us %%d status %%d connect %%d read %%d write %%d timeout %%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout))
end
`

// capacityWrk runs wrk with o.workers connections against url, POSTing
// body, for o.duration.
func capacityWrk(ctx context.Context, o options, mock *mockProcess, url, body string) (measured, error) {
	bin, err := exec.LookPath("wrk")
	if err != nil {
		return measured{}, errNoWrk
	}
	script := filepath.Join(o.workDir, "post.lua")
	if err := os.WriteFile(script, fmt.Appendf(nil, wrkScript, body), 0o600); err != nil {
		return measured{}, err
	}
	threads := min(runtime.NumCPU(), o.workers)
	before, err := mock.served()
	if err != nil {
		return measured{}, err
	}
	cmd := exec.CommandContext(ctx, bin, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(o.workers),
		"-d", fmt.Sprintf("%ds", max(1, int(o.duration.Round(time.Second)/time.Second))), "-s", script, url)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return measured{}, fmt.Errorf("wrk: %w\n%s", err, b)
	}
	after, err := mock.served()
	if err != nil {
		return measured{}, err
	}
	s, err := parseWrk(strings.NewReader(string(b)))
	if err != nil {
		return measured{}, fmt.Errorf("reading wrk's output: %w\n%s", err, b)
	}
	m := measured{tool: "wrk", requests: s.ok(), served: after - before, seconds: s.duration.Seconds(),
		note: fmt.Sprintf("; -t%d -c%d, %d not 2xx/3xx, socket errors %d", threads, o.workers, s.non2xx, s.socketErrors)}
	m.rate = float64(m.requests) / m.seconds
	return m, nil
}

// wrkSummary is what a wrk run reports.
type wrkSummary struct {
	requests     uint64        // answered, any status
	duration     time.Duration // of the run, as wrk measured it
	non2xx       uint64        // answers not 2xx or 3xx
	socketErrors uint64        // connect, read, write and timeout errors
	exact        bool          // read from the done() line of wrkScript
}

// ok is the requests answered 2xx or 3xx.
func (s wrkSummary) ok() uint64 { return s.requests - min(s.non2xx, s.requests) }

// parseWrk reads wrk's output. The summary lines wrk always prints give
// the requests and the duration, rounded to 10 ms ("645123 requests in
// 8.00s, 70.12MB read"), the answers not 2xx or 3xx ("Non-2xx or 3xx
// responses: 12") and the socket errors ("Socket errors: connect 0, read
// 0, write 0, timeout 0"); wrkScript's done() adds a line with the exact
// figures, which are used when present, once checked against the
// summary.
func parseWrk(r io.Reader) (wrkSummary, error) {
	var s, exact wrkSummary
	var haveTotal bool
	lines := bufio.NewScanner(r)
	n := 0
	for lines.Scan() {
		n++
		line := strings.TrimSpace(lines.Text())
		var err error
		switch f := strings.Fields(line); {
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			if haveTotal {
				return wrkSummary{}, fmt.Errorf("line %d: a second total: %q", n, line)
			}
			haveTotal = true
			s.requests, err = strconv.ParseUint(f[0], 10, 64)
			if err == nil {
				s.duration, err = parseWrkDuration(strings.TrimSuffix(f[3], ","))
			}
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:"):
			s.non2xx, err = strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(line, "Non-2xx or 3xx responses:")), 10, 64)
		case strings.HasPrefix(line, "Socket errors:"):
			s.socketErrors, err = parseSocketErrors(strings.TrimPrefix(line, "Socket errors:"))
		case len(f) > 0 && f[0] == "fanbench-wrk:":
			exact, err = parseWrkDone(f[1:])
		}
		if err != nil {
			return wrkSummary{}, fmt.Errorf("line %d: %q: %w", n, line, err)
		}
	}
	if err := lines.Err(); err != nil {
		return wrkSummary{}, err
	}
	if !haveTotal {
		return wrkSummary{}, errors.New(`no "N requests in T" line`)
	}
	if s.non2xx > s.requests {
		return wrkSummary{}, fmt.Errorf("%d answers not 2xx or 3xx of %d requests", s.non2xx, s.requests)
	}
	if exact.exact {
		// The summary rounds the duration to 10 ms (1% of 1 s).
		if exact.requests != s.requests || exact.non2xx != s.non2xx || absDuration(exact.duration-s.duration) > max(10*time.Millisecond, s.duration/100) {
			return wrkSummary{}, fmt.Errorf("the done() line (%d requests in %v, %d not 2xx or 3xx) disagrees with the summary (%d in %v, %d)",
				exact.requests, exact.duration, exact.non2xx, s.requests, s.duration, s.non2xx)
		}
		return exact, nil
	}
	if s.duration <= 0 {
		return wrkSummary{}, fmt.Errorf("a run of %v", s.duration)
	}
	return s, nil
}

// parseWrkDuration reads a duration as wrk prints it: a number and one of
// us, ms, s, m, h.
func parseWrkDuration(s string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}} {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(num, 64)
			if err != nil || v < 0 || v > 1e6 {
				return 0, fmt.Errorf("duration %q: not a number of %s", s, u.suffix)
			}
			return time.Duration(v * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("duration %q: no unit (us, ms, s, m or h)", s)
}

// parseSocketErrors sums " connect 0, read 0, write 0, timeout 0".
func parseSocketErrors(s string) (uint64, error) {
	var total uint64
	for part := range strings.SplitSeq(s, ",") {
		f := strings.Fields(part)
		if len(f) != 2 {
			return 0, fmt.Errorf("socket errors: %q is not a name and a count", strings.TrimSpace(part))
		}
		v, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("socket errors: %s: %w", f[0], err)
		}
		total += v
	}
	return total, nil
}

// parseWrkDone reads the fields of wrkScript's done() line: name value
// pairs.
func parseWrkDone(f []string) (wrkSummary, error) {
	if len(f)%2 != 0 {
		return wrkSummary{}, errors.New("not name value pairs")
	}
	s := wrkSummary{exact: true}
	seen := map[string]bool{}
	for i := 0; i < len(f); i += 2 {
		v, err := strconv.ParseUint(f[i+1], 10, 64)
		if err != nil {
			return wrkSummary{}, fmt.Errorf("%s: %w", f[i], err)
		}
		seen[f[i]] = true
		switch f[i] {
		case "requests":
			s.requests = v
		case "duration_us":
			if v == 0 || v > uint64(1e6*time.Hour/time.Microsecond) {
				return wrkSummary{}, fmt.Errorf("duration_us %d: out of range", v)
			}
			s.duration = time.Duration(v) * time.Microsecond
		case "connect", "read", "write", "timeout":
			s.socketErrors += v
		case "status":
			s.non2xx = v
		default:
			return wrkSummary{}, fmt.Errorf("unknown field %q", f[i])
		}
	}
	if !seen["requests"] || !seen["duration_us"] {
		return wrkSummary{}, errors.New("requests or duration_us missing")
	}
	return s, nil
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
