package cluster

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Plan is what the coordinator asks of the agents, in the agents' bucket
// under planKey. It holds no secret: Source is the scenario file as
// written, its ${ENV} references expanded by each agent from its own
// environment.
type Plan struct {
	// Version is the coordinator's fanbench version; an agent of another
	// version refuses the plan (their figures would not be comparable).
	Version string `json:"version"`
	// RunID names the run's streams and bucket.
	RunID string `json:"run_id"`
	// File names the scenario (its path, or example:NAME), for messages
	// and for the paths it reads, relative to it; Source is its text.
	File   string `json:"file"`
	Source []byte `json:"source"`
	// Args are the command-line flags that override the scenario's values
	// (--rate 50/s …), applied by each agent as the coordinator applied
	// them.
	Args []string `json:"args,omitempty"`
	// Segments are the shares of the load, one per agent, as
	// loadgen.ParseSegment reads them.
	Segments []string `json:"segments"`
	// Strategies are the titles of the strategies, in run order: the
	// barrier and the results name a strategy by its index here.
	Strategies []string `json:"strategies"`
	// LostAfter is the ack wait of a claim: an agent silent for that long
	// is lost.
	LostAfter time.Duration `json:"lost_after"`
	// Created is when the coordinator made the plan (its wall clock).
	Created time.Time `json:"created"`
}

// Names of the buckets, streams and subjects. The agents' bucket is shared
// by every run on a server; the rest are the run's own, deleted after it.
const (
	agentsBucket = "fanbench-agents"
	planKey      = "plan"
)

func runBucket(run string) string     { return "fanbench-run-" + run }
func segmentStream(run string) string { return "FANBENCH_SEGMENTS_" + strings.ToUpper(run) }
func reportStream(run string) string  { return "FANBENCH_REPORTS_" + strings.ToUpper(run) }
func segmentSubject(run string) string {
	return "fanbench." + run + ".segments"
}
func reportSubject(run string, kind string, seg int) string {
	return fmt.Sprintf("fanbench.%s.report.%s.%d", run, kind, seg)
}
func clockSubject(run string) string { return "fanbench." + run + ".clock" }

// claimsConsumer is the work-queue stream's one consumer: agents fetch
// their segment from it, and the coordinator fetches from it the claims
// that lapsed.
const claimsConsumer = "claims"

// Keys of the run's bucket.
func claimedKey(seg int) string         { return fmt.Sprintf("claimed.%d", seg) }
func readyKey(strategy, seg int) string { return fmt.Sprintf("ready.%d.%d", strategy, seg) }
func goKey(strategy int) string         { return fmt.Sprintf("go.%d", strategy) }
func rejectKey(agent string) string     { return "reject." + keySafe(agent) }
func keySafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// stopKey, put, stops the agents; startedKey, put once every segment is
// claimed, keeps late agents from claiming a lapsed segment (the
// coordinator's, to count its agent lost).
const (
	stopKey    = "stop"
	startedKey = "started"
)

// segmentMsg is a segment on the work-queue stream.
type segmentMsg struct {
	Index   int    `json:"index"`
	Segment string `json:"segment"`
}

// AgentInfo is what an agent says of itself when it claims a segment.
type AgentInfo struct {
	Name    string `json:"name"`
	Host    string `json:"host"`
	PID     int    `json:"pid"`
	Version string `json:"version"`
	Segment int    `json:"segment"`
	// OffsetNS is the agent's wall clock minus the coordinator's; RTTNS the
	// round trip of the estimate.
	OffsetNS int64 `json:"offset_ns"`
	RTTNS    int64 `json:"rtt_ns"`
}

// goMsg is the barrier's release: the strategy's load starts at T0 on the
// coordinator's wall clock.
type goMsg struct {
	T0 time.Time `json:"t0"`
}

// doneMsg is an agent's last report: the run's envelope as it saw it.
type doneMsg struct {
	Segment     int      `json:"segment"`
	Interrupted bool     `json:"interrupted"`
	Warnings    []string `json:"warnings,omitempty"`
	CPUSeconds  float64  `json:"cpu_seconds"`
	Err         string   `json:"error,omitempty"`
}

// pack encodes v as gzipped JSON: a strategy's result with its windows
// and histograms is far smaller so, and stays under a server's message
// size limit (1 MiB by default).
func pack(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unpack decodes what pack encoded.
func unpack(data []byte, v any) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	defer zr.Close()
	raw, err := io.ReadAll(io.LimitReader(zr, 256<<20))
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
