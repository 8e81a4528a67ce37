package htmlreport

import (
	"slices"
	"testing"
)

func TestIncidentsOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		scenario string
		want     []incident
	}{
		{"none", `{"upstreams":[{"name":"a","mock":{}}]}`, nil},
		{"one", `{"upstreams":[{"name":"recs","mock":{"incidents":[{"name":"brownout","from":"5s","to":"15s","latency_scale":10}]}}]}`,
			[]incident{{Upstream: "recs", Name: "brownout", From: 5, To: 15}}},
		{"several upstreams, unnamed, sub-second", `{"upstreams":[
			{"name":"a","mock":{"incidents":[{"from":"500ms","to":"1.5s"},{"name":"later","from":"1m","to":"1m30s"}]}},
			{"name":"b","url":"http://real"},
			{"name":"c","mock":{"incidents":[{"name":"outage","from":"0s","to":"2s"}]}}]}`,
			[]incident{{"a", "", 0.5, 1.5}, {"a", "later", 60, 90}, {"c", "outage", 0, 2}}},
		{"bad windows are left out", `{"upstreams":[{"name":"a","mock":{"incidents":[
			{"from":"2s","to":"1s"},{"from":"x","to":"1s"},{"from":"-1s","to":"1s"},{"from":"1s","to":"2s"}]}}]}`,
			[]incident{{"a", "", 1, 2}}},
		{"not a scenario", `[1, 2]`, nil},
		{"upstreams as a map", `{"upstreams":{"a":{"mock":{"incidents":[{"from":"1s","to":"2s"}]}}}}`, nil},
		{"empty", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := incidentsOf([]byte(tt.scenario)); !slices.Equal(got, tt.want) {
				t.Errorf("incidentsOf(%s) = %v, want %v", tt.scenario, got, tt.want)
			}
		})
	}
	if got := (incident{Upstream: "b"}).label(); got != "incident · b" {
		t.Errorf("label of an unnamed incident = %q", got)
	}
}

// Whatever the scenario JSON, incidentsOf returns windows that open before
// they close, and never panics.
func FuzzIncidentsOf(f *testing.F) {
	f.Add([]byte(`{"upstreams":[{"name":"recs","mock":{"incidents":[{"name":"b","from":"5s","to":"15s"}]}}]}`))
	f.Add([]byte(`{"upstreams":[{"mock":{"incidents":[{"from":"1h","to":"9223372036s"}]}}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, inc := range incidentsOf(data) {
			if !(inc.From >= 0 && inc.To > inc.From) {
				t.Errorf("incident %+v does not open before it closes", inc)
			}
		}
	})
}
