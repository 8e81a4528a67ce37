package metrics

// SweepResult is a strategy's rate sweep: the constant-rate steps it ran,
// from the lowest rate up, and the highest rate it sustained within the
// SLO. The sweep stops at the first step that breaks the SLO, so every step
// before the last passed.
type SweepResult struct {
	// SLO is the objective, as the scenario wrote it ("p99 < 300ms").
	SLO string `json:"slo"`
	// StepDurationS is how long each step ran, in seconds.
	StepDurationS float64 `json:"step_duration_s"`
	// SustainedRate is the highest rate (operations/s) whose step met the
	// SLO; 0 when the first step broke it.
	SustainedRate float64 `json:"sustained_rate"`
	// StoppedAt is the rate of the step that broke the SLO, ending the
	// sweep; 0 when every step passed.
	StoppedAt float64 `json:"stopped_at,omitempty"`
	// DetailsAt is the rate of the step whose full figures fill the rest of
	// the strategy's result: the sustained rate, or the first step when
	// none passed.
	DetailsAt float64     `json:"details_at"`
	Steps     []SweepStep `json:"steps"`
}

// SweepStep is one constant-rate step of a sweep.
type SweepStep struct {
	// Rate is the intended arrival rate, operations/s; Throughput the
	// operations that finished per second.
	Rate       float64 `json:"rate"`
	Throughput float64 `json:"throughput"`
	Operations uint64  `json:"operations"`
	Dropped    uint64  `json:"dropped"`
	// P50 and P99 are the operation latency's, in milliseconds; SLOLatency
	// is the latency at the SLO's percentile.
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	SLOLatency float64 `json:"slo_latency_ms"`
	// ErrorRate is the share of operations that failed, dropped ones
	// included: an operation never started did not meet the objective.
	ErrorRate float64 `json:"error_rate"`
	Passed    bool    `json:"passed"`
	// Broke says what broke the SLO ("p99 412ms ≥ 300ms"); empty when the
	// step passed.
	Broke string `json:"broke,omitempty"`
	// LateStarts is the share of operations that started over 1 ms after
	// their intended start: the generator fell behind, or the in-flight
	// cap held them back (their latency still counts from the schedule).
	LateStarts float64 `json:"late_starts"`
}
