package htmlreport

import (
	"strings"
	"testing"
)

func TestScenarioYAML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     string
	}{
		{"empty", ``, ``},
		{"null", `null`, ``},
		{"keys in order, block style, quotes only where needed",
			`{"name":"seed","seed":42,"upstreams":[{"name":"a","mock":{"errors":{"503":"1%"},"latency":{"value":"200ms"}}}],"flag":"true","path":"/u/{{.Seq}}"}`,
			"name: seed\nseed: 42\nupstreams:\n  - name: a\n    mock:\n      errors:\n        \"503\": 1%\n      latency:\n        value: 200ms\nflag: \"true\"\npath: /u/{{.Seq}}\n"},
		{"not JSON", `{"name": `, `{"name": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := scenarioYAML([]byte(tt.in)); got != tt.want {
				t.Errorf("scenarioYAML(%s) =\n%s\nwant\n%s", tt.in, got, tt.want)
			}
		})
	}
}

func TestLoadText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{`{"model":"open","rate":"20/s","duration":"10s"}`, "open, 20/s, for 10s"},
		{`{"model":"closed","users":16,"duration":"30s"}`, "closed, 16 users, for 30s"},
		{`{"model":"open","stages":[{"rate":"10/s","duration":"5s"}]}`, "open, ramping stages"},
		{`{"model":"open","sweep":{"from":"10/s"},"rate":"5/s"}`, "open, rate sweep"},
		{`{}`, ""},
		{`"nonsense"`, ""},
	} {
		if got := loadText([]byte(tt.in)); got != tt.want {
			t.Errorf("loadText(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if s := scenarioOf([]byte(`{"name":"x","seed":7}`)); s.Name != "x" || s.Seed != "7" {
		t.Errorf("scenarioOf = %+v", s)
	}
	if !strings.Contains(scenarioYAML(everything(t).Scenario), "slow-payments") {
		t.Error("the scenario as run lacks its incident")
	}
}
