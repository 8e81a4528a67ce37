package metrics

// ThresholdResult is the verdict on one threshold for one strategy.
type ThresholdResult struct {
	// Strategy is the entry's name, as in StrategyResult.Name; Key is where
	// the threshold was written: "all", a strategy name or a label.
	Strategy string `json:"strategy"`
	Key      string `json:"key"`
	// Threshold is the assertion as written, such as "p99 < 350ms".
	Threshold string `json:"threshold"`
	Metric    string `json:"metric"`
	// Value is what was measured, in Unit: "ms", "share" (0 to 1), "/s"
	// (operations per second) or "ratio"; absent when nothing was
	// measured.
	Value *float64 `json:"value,omitempty"`
	Unit  string   `json:"unit"`
	Pass  bool     `json:"pass"`
	// Note says why a threshold failed without a value (no operations
	// finished, no harness overhead measured).
	Note string `json:"note,omitempty"`
}

// FailedThresholds counts the thresholds that failed.
func (r *Result) FailedThresholds() int {
	n := 0
	for _, t := range r.Thresholds {
		if !t.Pass {
			n++
		}
	}
	return n
}
