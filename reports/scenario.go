package reports

import (
	"encoding/json"

	"github.com/fanbench/fanbench/metrics"
)

// scenarioName reads the scenario's name from a result, "" when absent.
func scenarioName(r *metrics.Result) string {
	var s struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(r.Scenario, &s)
	return s.Name
}
