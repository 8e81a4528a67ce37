package metrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"
)

// Schema names the result file format. Readers refuse any other value.
const Schema = "fanbench/result/v1"

// Result is everything one run measured: the result file. Its JSON keys are
// a public format (CI scripts read them); durations are in milliseconds.
type Result struct {
	Schema string `json:"schema"`
	// Scenario is the scenario as run, as JSON, secrets redacted.
	Scenario    json.RawMessage  `json:"scenario"`
	Environment Environment      `json:"environment"`
	StartedAt   time.Time        `json:"started_at"`
	DurationS   float64          `json:"duration_s"`
	Interrupted bool             `json:"interrupted"`
	Warnings    []string         `json:"warnings,omitempty"`
	Strategies  []StrategyResult `json:"strategies"`
}

// Environment is where the run happened.
type Environment struct {
	FanbenchVersion string `json:"fanbench_version"`
	GoVersion       string `json:"go_version"`
	OS              string `json:"os"`
	Arch            string `json:"arch"`
	CPUs            int    `json:"cpus"`
}

// CurrentEnvironment describes this process, with the given fanbench version.
func CurrentEnvironment(version string) Environment {
	return Environment{
		FanbenchVersion: version,
		GoVersion:       runtime.Version(),
		OS:              runtime.GOOS,
		Arch:            runtime.GOARCH,
		CPUs:            runtime.NumCPU(),
	}
}

// StrategyResult is what one strategy measured.
type StrategyResult struct {
	Name string `json:"name"`
	// Operations is the number of operations that finished.
	Operations uint64 `json:"operations"`
	// Dropped counts operations that were due but never started.
	Dropped uint64 `json:"dropped"`
	// Throughput is finished operations per second of the strategy's run.
	Throughput float64 `json:"throughput"`
	// ErrorRate is the share of operations that were not ok.
	ErrorRate   float64  `json:"error_rate"`
	Outcomes    Outcomes `json:"outcomes"`
	DurationS   float64  `json:"duration_s"`
	Latency     Summary  `json:"latency"`
	ServiceTime Summary  `json:"service_time"`
	ScheduleLag Summary  `json:"schedule_lag"`
	// LateStarts counts operations that started over 1 ms after their
	// intended start (LateStart).
	LateStarts uint64 `json:"late_starts"`
	// HarnessOverhead is measured − ideal latency, where the ideal follows
	// from the mock upstreams' paired draws; absent when some upstream is real.
	HarnessOverhead *Summary         `json:"harness_overhead,omitempty"`
	Upstreams       []UpstreamResult `json:"upstreams"`
	// Histograms holds every histogram, HDR V2 compressed and base64
	// encoded, by name: "latency", "service_time", "schedule_lag",
	// "harness_overhead", "upstream:NAME" and, when calls waited for the
	// client-side rate limit, "limiter_wait:NAME".
	Histograms map[string]string `json:"histograms"`
}

// Outcomes counts operations by outcome.
type Outcomes struct {
	OK      uint64 `json:"ok"`
	Partial uint64 `json:"partial"`
	Failed  uint64 `json:"failed"`
}

// UpstreamResult is what was measured of the calls to one upstream.
type UpstreamResult struct {
	Name     string `json:"name"`
	Calls    uint64 `json:"calls"`
	Attempts uint64 `json:"attempts"`
	// Retries counts the attempts after each call's first.
	Retries uint64 `json:"retries"`
	// Responses429 counts the attempts answered 429 (retried or final);
	// TooEarly those of them that were retries sent before an earlier
	// Retry-After had passed.
	Responses429 uint64 `json:"responses_429"`
	TooEarly     uint64 `json:"too_early"`
	// Statuses counts calls by final HTTP status ("200", "503") or, for
	// calls that got no answer, by failure kind ("timeout", "reset",
	// "breaker_open" for calls an open circuit breaker refused, "limited"
	// for calls the client-side rate limit refused).
	Statuses map[string]uint64 `json:"statuses"`
	Latency  Summary           `json:"latency"`
	// LimiterWait is the calls' wait for client-side rate-limit tokens,
	// over every call (those that did not wait count as 0); absent when no
	// call waited.
	LimiterWait *Summary `json:"limiter_wait,omitempty"`
}

// Summarize turns a merged recorder into the strategy's result. elapsed is
// the wall time the strategy ran, from the first intended start until the
// last operation finished.
func (r *Recorder) Summarize(name string, elapsed time.Duration, dropped uint64) (StrategyResult, error) {
	ops := r.Operations()
	s := StrategyResult{
		Name:        name,
		Operations:  ops,
		Dropped:     dropped,
		Outcomes:    Outcomes{OK: r.Outcomes[OutcomeOK], Partial: r.Outcomes[OutcomePartial], Failed: r.Outcomes[OutcomeFailed]},
		DurationS:   elapsed.Seconds(),
		Latency:     r.Latency.Summary(),
		ServiceTime: r.Service.Summary(),
		ScheduleLag: r.Lag.Summary(),
		LateStarts:  r.LateStarts,
		Histograms:  map[string]string{},
	}
	if elapsed > 0 {
		s.Throughput = float64(ops) / elapsed.Seconds()
	}
	if ops > 0 {
		s.ErrorRate = float64(ops-s.Outcomes.OK) / float64(ops)
	}
	hists := map[string]*Histogram{"latency": r.Latency, "service_time": r.Service, "schedule_lag": r.Lag}
	if r.Overhead.Count() > 0 {
		o := r.Overhead.Summary()
		s.HarnessOverhead = &o
		hists["harness_overhead"] = r.Overhead
	}
	for i, u := range r.Upstreams {
		name := r.layout.Upstreams[i]
		ur := UpstreamResult{Name: name, Calls: u.Calls, Attempts: u.Attempts, Retries: u.Retries,
			Responses429: u.Got429, TooEarly: u.TooEarly, Statuses: map[string]uint64{}, Latency: u.Latency.Summary()}
		if u.Waited > 0 {
			w := u.LimiterWait.Summary()
			ur.LimiterWait = &w
			hists["limiter_wait:"+name] = u.LimiterWait
		}
		for status, n := range u.Statuses[1:] {
			if n > 0 {
				ur.Statuses[strconv.Itoa(status+1)] = n
			}
		}
		for f, n := range u.Failures {
			if n > 0 {
				ur.Statuses[r.layout.Failures[f]] = n
			}
		}
		s.Upstreams = append(s.Upstreams, ur)
		hists["upstream:"+name] = u.Latency
	}
	for key, h := range hists {
		enc, err := h.Encode()
		if err != nil {
			return StrategyResult{}, fmt.Errorf("%s %s: %w", name, key, err)
		}
		s.Histograms[key] = enc
	}
	return s, nil
}

// ErrNotResult marks a file that is not a fanbench result of this schema.
var ErrNotResult = errors.New("not a fanbench result file")

// ReadResult reads a result file written by WriteResult.
func ReadResult(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeResult(path, data)
}

// DecodeResult parses a result file's content; name is used in errors.
func DecodeResult(name string, data []byte) (*Result, error) {
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrNotResult, err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("%s: %w: schema is %q, want %q", name, ErrNotResult, r.Schema, Schema)
	}
	for _, s := range r.Strategies {
		for key, enc := range s.Histograms {
			if _, err := DecodeHistogram(enc); err != nil {
				return nil, fmt.Errorf("%s: strategy %s, histogram %s: %w: %v", name, s.Name, key, ErrNotResult, err)
			}
		}
	}
	return &r, nil
}

// WriteResult writes r as indented JSON to path atomically: to a temporary
// file in the same folder, synced, then renamed over path, so a reader never
// sees half a file and an old result is never lost to a failed write.
func WriteResult(path string, r *Result) (err error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding result: %w", err)
	}
	return WriteFileAtomic(path, append(data, '\n'))
}

// WriteFileAtomic writes data to path through a temporary file and a rename.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
