package scenarios

// The spellings of the types written only as text, for the loader's
// "expected X, got Y" messages (see strictyaml.TextOnly).

func (StageTarget) YAMLForm() string { return "a rate such as 500/s or a number of users such as 50" }
func (SLO) YAMLForm() string         { return `an objective such as "p99 < 300ms and error_rate < 1%"` }
func (Threshold) YAMLForm() string   { return `an assertion such as "p99 < 350ms"` }

func (StageTarget) YAMLTextOnly() {}
func (SLO) YAMLTextOnly()         {}
func (Threshold) YAMLTextOnly()   {}
