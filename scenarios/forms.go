package scenarios

// The spellings of the types written as text, for the loader's "expected
// X, got Y" messages (see strictyaml.Former); those written only as text
// say so (strictyaml.TextOnly).

func (Strategy) YAMLForm() string {
	return "a strategy name such as fanout or a mapping such as {name: pooled, workers: 8}"
}

func (HedgeDelay) YAMLForm() string { return "a duration such as 50ms or a percentile such as p95" }
func (HedgePolicy) YAMLForm() string {
	return "off, a duration such as 50ms or a percentile such as p95"
}
func (StageTarget) YAMLForm() string { return "a rate such as 500/s or a number of users such as 50" }
func (SLO) YAMLForm() string         { return `an objective such as "p99 < 300ms and error_rate < 1%"` }
func (Threshold) YAMLForm() string   { return `an assertion such as "p99 < 350ms"` }

func (HedgeDelay) YAMLTextOnly()  {}
func (HedgePolicy) YAMLTextOnly() {}
func (StageTarget) YAMLTextOnly() {}
func (SLO) YAMLTextOnly()         {}
func (Threshold) YAMLTextOnly()   {}
