package htmlreport

import (
	"encoding/json"
	"time"
)

// incident is a mock upstream's incident window, in seconds from each
// strategy's start: the runner resets the mocks as a strategy starts, so
// the windows line up with the series over time.
type incident struct {
	Upstream, Name string
	From, To       float64
}

// label names the incident in charts: "brownout · recommendations".
func (i incident) label() string {
	name := i.Name
	if name == "" {
		name = "incident"
	}
	return name + " · " + i.Upstream
}

// incidentsOf reads the incidents of the scenario's mock upstreams
// (upstreams[].mock.incidents[].from/to) from the scenario as run. A
// scenario it cannot read has none: the report is drawn without shading.
func incidentsOf(raw json.RawMessage) []incident {
	var sc struct {
		Upstreams []struct {
			Name string `json:"name"`
			Mock *struct {
				Incidents []struct {
					Name string `json:"name"`
					From string `json:"from"`
					To   string `json:"to"`
				} `json:"incidents"`
			} `json:"mock"`
		} `json:"upstreams"`
	}
	if json.Unmarshal(raw, &sc) != nil {
		return nil
	}
	var out []incident
	for _, u := range sc.Upstreams {
		if u.Mock == nil {
			continue
		}
		for _, inc := range u.Mock.Incidents {
			from, err1 := time.ParseDuration(inc.From)
			to, err2 := time.ParseDuration(inc.To)
			if err1 != nil || err2 != nil || from < 0 || to <= from {
				continue
			}
			out = append(out, incident{Upstream: u.Name, Name: inc.Name, From: from.Seconds(), To: to.Seconds()})
		}
	}
	return out
}
