package htmlreport

import (
	"bytes"
	"encoding/json"
	"strings"

	"go.yaml.in/yaml/v3"
)

// scenarioInfo is what the page's heading shows of the scenario as run.
type scenarioInfo struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Seed        json.Number     `json:"seed"`
	Load        json.RawMessage `json:"load"`
}

// scenarioOf reads the scenario's name, description and seed from a
// result; empty when the result holds no readable scenario.
func scenarioOf(raw json.RawMessage) scenarioInfo {
	var s scenarioInfo
	_ = json.Unmarshal(raw, &s)
	return s
}

// loadText sums up the load as run: "open, 20/s for 10s".
func loadText(raw json.RawMessage) string {
	var l struct {
		Model    string          `json:"model"`
		Rate     string          `json:"rate"`
		Users    json.Number     `json:"users"`
		Duration string          `json:"duration"`
		Stages   json.RawMessage `json:"stages"`
		Sweep    json.RawMessage `json:"sweep"`
	}
	if json.Unmarshal(raw, &l) != nil || l.Model == "" {
		return ""
	}
	parts := []string{l.Model}
	switch {
	case len(l.Sweep) > 0 && string(l.Sweep) != "null":
		parts = append(parts, "rate sweep")
	case len(l.Stages) > 0 && string(l.Stages) != "null":
		parts = append(parts, "ramping stages")
	case l.Rate != "":
		parts = append(parts, l.Rate)
	case l.Users != "":
		parts = append(parts, string(l.Users)+" users")
	}
	if l.Duration != "" {
		parts = append(parts, "for "+l.Duration)
	}
	return strings.Join(parts, ", ")
}

// scenarioYAML shows the scenario as run, which the result holds as JSON,
// as YAML in the order of its keys; as indented JSON when it is not
// readable as YAML, and "" when there is none.
func scenarioYAML(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return ""
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err == nil && len(doc.Content) > 0 {
		blockStyle(&doc)
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if enc.Encode(&doc) == nil && enc.Close() == nil {
			return b.String()
		}
	}
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

// blockStyle turns JSON's flow style and quotes into YAML's block style;
// the encoder still quotes the strings that need it ("503", "true").
func blockStyle(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && !strings.Contains(n.Value, "\n") {
		n.Style &^= yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}
