package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// scaleVegeta puts the scale check's load on vegeta, as a yardstick for
// fanbench's schedule: the same requests/s (operations × calls) to a
// fresh mock process of the same upstreams (niced the same), round robin,
// with the workers for all the requests in flight started up front, for the same warm-up and
// measured time. vegeta sends request n at began + n/rate; its results
// carry n (seq) and when the request was begun, so its schedule lag is
// read from them the way fanbench measures its own.
func scaleVegeta(ctx context.Context, o options) (string, error) {
	bin, err := vegetaBinary(ctx)
	if err != nil {
		return "", err
	}
	mock, err := startMock(ctx, o, twoMocks(scaleLatency, ""), 2, scaleMockNice)
	if err != nil {
		return "", err
	}
	defer mock.stop()
	targets := filepath.Join(o.workDir, "scale-targets.txt")
	results := filepath.Join(o.workDir, "scale-vegeta.bin")
	var list []byte
	for _, u := range mock.urls[:o.calls] {
		list = fmt.Appendf(list, "GET %s/\n\n", u)
	}
	if err := os.WriteFile(targets, list, 0o600); err != nil {
		return "", err
	}
	rate := o.calls * o.rate
	workers := o.calls * scaleInFlight(o) * 21 / 20
	total := o.duration + scaleWarmup
	attack := exec.CommandContext(ctx, bin, "attack", fmt.Sprintf("-rate=%d/s", rate), fmt.Sprintf("-workers=%d", workers),
		"-duration="+total.String(), "-timeout=30s", "-targets="+targets, "-output="+results)
	if b, err := attack.CombinedOutput(); err != nil {
		return "", fmt.Errorf("vegeta attack: %w\n%s", err, b)
	}
	encode := exec.CommandContext(ctx, bin, "encode", "--to=csv", results)
	stdout, err := encode.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := encode.Start(); err != nil {
		return "", err
	}
	lags, sent, err := vegetaLags(stdout, time.Second/time.Duration(rate), scaleWarmup)
	waitErr := encode.Wait()
	if err = errors.Join(err, waitErr); err != nil {
		return "", fmt.Errorf("vegeta encode: %w", err)
	}
	due := int(total.Seconds() * float64(rate))
	measuredDue := int(o.duration.Seconds() * float64(rate))
	late := 0
	for _, l := range lags {
		if l > time.Millisecond {
			late++
		}
	}
	s := fmt.Sprintf("vegeta at the same load (%d requests/s to a fresh mock process, -workers=%d): sent %d of %d requests due (%.0f%%); after the warm-up %d of %d were begun",
		rate, workers, sent, due, 100*float64(sent)/float64(due), len(lags), measuredDue)
	if len(lags) == 0 {
		return s, nil
	}
	return s + fmt.Sprintf(", %.1f%% of them over 1 ms late, lag p50 %.1f ms, p99 %.1f ms", 100*float64(late)/float64(len(lags)),
		ms(quantile(lags, 0.5)), ms(quantile(lags, 0.99))), nil
}

// vegetaLags reads `vegeta encode --to=csv` (timestamp in ns, code,
// latency, bytes out, bytes in, error, body, attack, seq, …) and returns
// the schedule lag of each request intended after warmup, and how many
// results there were. Request seq was intended at the first request's
// time plus seq × interval.
func vegetaLags(r io.Reader, interval, warmup time.Duration) (lags []time.Duration, sent int, err error) {
	type hit struct{ at, seq int64 }
	var hits []hit
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		if len(rec) < 9 {
			return nil, 0, fmt.Errorf("line %d: %d fields, want at least 9", len(hits)+1, len(rec))
		}
		at, err1 := strconv.ParseInt(rec[0], 10, 64)
		seq, err2 := strconv.ParseInt(rec[8], 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, 0, fmt.Errorf("line %d: %w", len(hits)+1, err)
		}
		hits = append(hits, hit{at, seq})
	}
	if len(hits) == 0 {
		return nil, 0, nil
	}
	began := slices.MinFunc(hits, func(a, b hit) int { return cmp.Compare(a.seq, b.seq) }).at
	for _, h := range hits {
		intended := time.Duration(h.seq) * interval
		if intended >= warmup {
			lags = append(lags, time.Duration(h.at-began)-intended)
		}
	}
	slices.Sort(lags)
	return lags, len(hits), nil
}

// quantile is the q-quantile of sorted.
func quantile(sorted []time.Duration, q float64) time.Duration {
	return sorted[int(q*float64(len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
