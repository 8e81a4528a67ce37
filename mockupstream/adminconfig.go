package mockupstream

import (
	"bytes"
	"reflect"

	"github.com/fanbench/fanbench/internal/strictyaml"
)

// decodeConfig reads a Config from the body of PUT /__fanbench/config, with
// the strict decoder the scenario loader uses: every unknown key (with a
// did-you-mean) and every value of the wrong type is reported, each with
// its field path in the file spelling ("latency.max", "errors.503") and its
// line and column. The body is JSON, as the API documents; being read as
// YAML (of which JSON is a subset), a YAML body works too, and a JSON
// number where a value is read from text (a fraction, a rate, a duration)
// is read as its text, so {"503": 0.01} means what errors: {503: 0.01} means
// in a scenario file. The Config is not validated; SetConfig does that.
func decodeConfig(data []byte) (Config, []problem) {
	var c Config
	if len(bytes.TrimSpace(data)) == 0 {
		return c, []problem{{Message: `the body is empty; send a JSON Config, such as {"latency": "20ms", "errors": {"503": "1%"}}`}}
	}
	d := strictyaml.New("config")
	root := d.Document(data, `send a JSON Config, such as {"latency": "20ms", "errors": {"503": "1%"}}`, reflect.TypeFor[Config]())
	if root != nil {
		d.Struct(root, reflect.ValueOf(&c).Elem(), "")
	}
	if len(d.Errs) == 0 {
		return c, nil
	}
	es := d.Errs.Sorted()
	if len(es) > maxProblems {
		es = append(es[:maxProblems], &strictyaml.Error{Msg: "too many problems; fix the ones above first"})
	}
	out := make([]problem, len(es))
	for i, e := range es {
		out[i] = problem{Field: e.Path, Message: e.Msg, Line: e.Line, Column: e.Column}
	}
	return Config{}, out
}

// maxProblems bounds the problems one PUT reports.
const maxProblems = 100
