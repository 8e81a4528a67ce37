package metrics

// Agent is what one agent of a distributed run (fanbench run --agents)
// did: its share of the load, how well it kept its schedule, and whether
// it finished. The strategies' figures are the agents' merged exactly;
// these are per agent, to tell one slow or lost machine from the rest.
type Agent struct {
	// Name and Host identify the agent (its --name, and its machine's
	// host name).
	Name string `json:"name"`
	Host string `json:"host,omitempty"`
	// Segment is the agent's share of every strategy's schedule, as k6's
	// --execution-segment writes it: "1/3:2/3".
	Segment string `json:"segment"`
	// Status is "finished", "stopped" (the coordinator stopped the run)
	// or "lost" (the agent died or was cut off; its unfinished operations
	// are counted as interrupted, in Lost).
	Status string `json:"status"`
	// Operations counts the operations the agent finished, every strategy
	// together; Lost those of its share it did not finish because it was
	// lost (counted in the strategies' interrupted operations too).
	Operations uint64 `json:"operations"`
	Lost       uint64 `json:"lost,omitempty"`
	// ScheduleLag is the agent's schedule lag (actual − intended start),
	// over every strategy it finished; LateStarts the operations that
	// started over 1 ms late.
	ScheduleLag Summary `json:"schedule_lag"`
	LateStarts  uint64  `json:"late_starts"`
	// ClockOffsetMS is the agent's wall clock minus the coordinator's, as
	// estimated at the barrier (the smallest of a few round trips, half its
	// time being the error bound, RTTMS).
	ClockOffsetMS float64 `json:"clock_offset_ms"`
	ClockRTTMS    float64 `json:"clock_rtt_ms"`
	// CPUSeconds is the CPU time of the agent's process (user + system)
	// over the run; 0 when unknown.
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
	// Warnings are the agent's own warnings.
	Warnings []string `json:"warnings,omitempty"`
}
