package scenarios_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/invopop/jsonschema"
	jsv "github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/golden"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

const schemaFile = "schema.json"

// Patterns of the text forms, lenient where the loader's own messages are
// better than an editor's "does not match pattern": they reject what is
// plainly not the form (a bare 10 for a duration), not every bad value.
const (
	durationPattern = `^\s*[-+]?(0|([0-9]*\.?[0-9]+(ns|us|µs|μs|ms|s|m|h))+)\s*$`
	ratePattern     = `^\s*[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*(/\s*\S+)?\s*$`
	fractionPattern = `^\s*[0-9]*\.?[0-9]+\s*%?\s*$`
	hedgePattern    = `^\s*(p[0-9.]+|[-+]?([0-9]*\.?[0-9]+(ns|us|µs|μs|ms|s|m|h))+)\s*$`
)

// durationSchema accepts "250ms", and 0, the one bare number Go reads.
func durationSchema(desc string) *jsonschema.Schema {
	return &jsonschema.Schema{Description: desc, AnyOf: []*jsonschema.Schema{
		{Type: "string", Pattern: durationPattern, Examples: []any{"250ms", "2s", "1m30s"}},
		{Type: "integer", Const: 0},
	}}
}

// leafSchemas are the types the loader reads from text (or a number): the
// reflector would describe their Go representation instead.
func leafSchemas(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeFor[units.Duration]():
		return durationSchema("A duration with its unit, such as 250ms, 2s or 1m30s.")
	case reflect.TypeFor[units.Rate]():
		return &jsonschema.Schema{Description: "A rate such as 500/s, 30/m or 2/ms; a bare number is per second.",
			AnyOf: []*jsonschema.Schema{
				{Type: "string", Pattern: ratePattern, Examples: []any{"500/s", "30/m"}},
				{Type: "number", Minimum: "0"},
			}}
	case reflect.TypeFor[units.Fraction]():
		return &jsonschema.Schema{Description: "A percentage such as 1% or a number from 0 to 1.",
			AnyOf: []*jsonschema.Schema{
				{Type: "string", Pattern: fractionPattern, Examples: []any{"1%", "0.5%"}},
				{Type: "number", Minimum: "0", Maximum: "1"},
			}}
	case reflect.TypeFor[units.ByteSize]():
		return &jsonschema.Schema{Description: "A size in bytes, such as 512, 4KiB or 1.5MB.",
			AnyOf: []*jsonschema.Schema{{Type: "string", Examples: []any{"4KiB", "1MB"}}, {Type: "integer", Minimum: "0"}}}
	case reflect.TypeFor[strategies.WaitFor]():
		return &jsonschema.Schema{Description: "A share of the calls such as 95%, or a count of them such as 95.",
			AnyOf: []*jsonschema.Schema{{Type: "string", Pattern: fractionPattern, Examples: []any{"95%"}}, {Type: "integer", Minimum: "1"}}}
	case reflect.TypeFor[strategies.WhenFull]():
		return &jsonschema.Schema{Type: "string", Enum: anys(strategies.WhenFulls)}
	case reflect.TypeFor[strategies.Client]():
		return &jsonschema.Schema{Type: "string", Enum: anys(strategies.Clients)}
	case reflect.TypeFor[strategies.BrokerKind]():
		return &jsonschema.Schema{Type: "string", Enum: anys(strategies.BrokerKinds)}
	case reflect.TypeFor[strategies.BrokerStorage]():
		return &jsonschema.Schema{Type: "string", Enum: anys(strategies.BrokerStorages)}
	case reflect.TypeFor[strategies.PublishMode]():
		return &jsonschema.Schema{Type: "string", Enum: anys(strategies.PublishModes)}
	case reflect.TypeFor[strategies.HedgeDelay]():
		return &jsonschema.Schema{Type: "string", Pattern: hedgePattern, Examples: []any{"p95", "50ms"},
			Description: "A duration such as 50ms, or a percentile of the upstream's observed latency such as p95."}
	case reflect.TypeFor[scenarios.StageTarget]():
		return &jsonschema.Schema{Description: "A rate such as 500/s (open model) or a number of users such as 50 (closed model).",
			AnyOf: []*jsonschema.Schema{{Type: "string", Pattern: ratePattern}, {Type: "number", Minimum: "0"}}}
	case reflect.TypeFor[scenarios.SLO]():
		return &jsonschema.Schema{Type: "string", Examples: []any{"p99 < 300ms and error_rate < 1%"},
			Description: `The objective each step must meet: "p99 < 300ms", optionally followed by "and error_rate < 1%".`}
	case reflect.TypeFor[scenarios.Threshold]():
		return &jsonschema.Schema{Type: "string", Pattern: `^\s*[A-Za-z_0-9.]+\s*(<|<=|>|>=)\s*\S+\s*$`,
			Examples:    []any{"p99 < 350ms", "error_rate < 1%", "throughput > 500/s", "harness_overhead_p99 < 2ms"},
			Description: "An assertion METRIC OP BOUND: a latency (p50 … p99.9, max, mean, harness_overhead_p99 …) against a duration, error_rate against a percentage, throughput against a rate, amplification against a ratio; OP is <, <=, > or >=."}
	}
	return nil
}

// generatedSchema reflects the Scenario type with the yaml spelling of its
// fields and its doc comments, then rewrites the parts that the file
// writes in another form than the Go type: upstreams as a mapping of name
// to definition, latency as a duration or a mapping, a strategy as a bare
// name or a mapping. No key is required but those the loader requires; no
// key outside the types is allowed (but x- keys at the top, for anchors),
// so that an editor flags a typo as it is typed.
func generatedSchema(t *testing.T) []byte {
	t.Helper()
	r := &jsonschema.Reflector{
		ExpandedStruct:             true,
		FieldNameTag:               "yaml",
		RequiredFromJSONSchemaTags: true,
		Mapper:                     leafSchemas,
	}
	for _, dir := range []string{"./", "../mockupstream", "../draws", "../strategies", "../units"} {
		if err := r.AddGoComments("github.com/fanbench/fanbench/scenarios", dir); err != nil {
			t.Fatal(err)
		}
	}
	s := r.Reflect(&scenarios.Scenario{})
	s.ID = "https://github.com/fanbench/fanbench/scenarios/schema.json"
	s.Title = "fanbench scenario file"
	s.Required = []string{"name", "upstreams", "operation", "strategies", "load"}
	s.PatternProperties = map[string]*jsonschema.Schema{"^x-": {Description: "Ignored by fanbench: a place for anchors used below."}}

	def := func(v any) (string, *jsonschema.Schema) {
		name := reflect.TypeOf(v).Name()
		d, ok := s.Definitions[name]
		if !ok {
			t.Fatalf("no definition %s in the reflected schema", name)
		}
		return name, d
	}
	name, ups := def(scenarios.Upstreams{})
	if ups.Items == nil {
		t.Fatalf("the reflected %s is not a list: %+v", name, ups)
	}
	s.Definitions[name] = &jsonschema.Schema{Type: "object", Description: ups.Description,
		AdditionalProperties: ups.Items, MinProperties: ptr(uint64(1))}

	name, lat := def(draws.Latency{})
	s.Definitions[name] = &jsonschema.Schema{Description: lat.Description,
		AnyOf: []*jsonschema.Schema{durationSchema("A fixed delay, such as 200ms."), withoutDescription(lat)}}

	// A rate limit is a mapping, or a bare rate with the default burst.
	for _, v := range []any{mockupstream.RateLimit{}, strategies.RateLimitSpec{}} {
		name, rl := def(v)
		s.Definitions[name] = &jsonschema.Schema{Description: rl.Description,
			AnyOf: []*jsonschema.Schema{{Type: "string", Pattern: ratePattern, Examples: []any{"50/s"},
				Description: "A rate such as 50/s, with a burst of a tenth of a second's worth (at least 1)."}, withoutDescription(rl)}}
	}

	name, strat := def(scenarios.Strategy{})
	s.Definitions[name] = strategySchema(t, r, strat.Description, s.Definitions)

	if retry, ok := s.Definitions["RetrySpec"]; ok {
		if on, ok := retry.Properties.Get("on"); ok && on.Items != nil {
			// 429 is a number to YAML; the loader reads it as the text.
			on.Items = &jsonschema.Schema{Enum: append(anys(strategies.RetryOnAll), 429)}
		}
	}
	for _, d := range s.Definitions {
		anyScalarForText(d)
	}
	anyScalarForText(s)

	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

// strategySchema is a strategy entry as the registry defines it: a bare
// name, or a mapping of the name, a label and that strategy's own options
// (reflected from its Options type), one variant per strategy.
func strategySchema(t *testing.T, r *jsonschema.Reflector, desc string, defs jsonschema.Definitions) *jsonschema.Schema {
	t.Helper()
	names := strategies.Names()
	out := &jsonschema.Schema{Description: desc, AnyOf: []*jsonschema.Schema{{Type: "string", Enum: anys(names)}}}
	for _, d := range strategies.Definitions() {
		opts := r.Reflect(d.Defaults())
		for name, sub := range opts.Definitions { // types the options nest, such as the queued strategy's broker
			defs[name] = sub
		}
		props := jsonschema.NewProperties()
		props.Set("name", &jsonschema.Schema{Const: d.Name, Description: d.Doc})
		props.Set("label", &jsonschema.Schema{Type: "string", Description: "Label names the entry in results and reports; default the name. Two entries of one strategy with different options need labels apart, such as {name: pooled, label: pooled-4, workers: 4}."})
		if opts.Properties != nil {
			for p := opts.Properties.Oldest(); p != nil; p = p.Next() {
				props.Set(p.Key, p.Value)
			}
		}
		out.AnyOf = append(out.AnyOf, &jsonschema.Schema{Type: "object", Title: d.Name, Properties: props,
			Required: []string{"name"}, AdditionalProperties: jsonschema.FalseSchema})
	}
	return out
}

// anyScalarForText lets the plain text fields of s (name, path, url…) take
// any scalar, as the loader does: it reads name: 2024 as the text "2024".
// Text with a pattern or a list of values keeps its type.
func anyScalarForText(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	if s.Type == "string" && s.Pattern == "" && len(s.Enum) == 0 {
		s.Type = ""
		s.AnyOf = []*jsonschema.Schema{{Type: "string"}, {Type: "number"}, {Type: "boolean"}}
		return
	}
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			anyScalarForText(p.Value)
		}
	}
	anyScalarForText(s.Items)
	if ap := s.AdditionalProperties; ap != nil {
		anyScalarForText(ap)
	}
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func withoutDescription(s *jsonschema.Schema) *jsonschema.Schema {
	c := *s
	c.Description = ""
	return &c
}

func TestScenarioSchemaIsCurrent(t *testing.T) {
	got := generatedSchema(t)
	want := golden.Want(t, schemaFile, got, *update, "go generate ./scenarios")
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what the Scenario type generates: run go generate ./scenarios and commit it", schemaFile)
	}
}

// compiledSchema compiles the committed schema.json.
func compiledSchema(t *testing.T) *jsv.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsv.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	c := jsv.NewCompiler()
	if err := c.AddResource(schemaFile, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaFile)
	if err != nil {
		t.Fatalf("compiling %s: %v", schemaFile, err)
	}
	return sch
}

// yamlToJSON reads YAML as an editor's language server does: anchors and
// merge keys resolved, mapping keys as strings (errors: {503: 1%} has the
// key "503").
func yamlToJSON(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	var conv func(any) any
	conv = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, e := range v {
				out[k] = conv(e)
			}
			return out
		case map[any]any:
			out := make(map[string]any, len(v))
			for k, e := range v {
				out[fmt.Sprint(k)] = conv(e)
			}
			return out
		case []any:
			for i, e := range v {
				v[i] = conv(e)
			}
			return v
		case int:
			return json.Number(fmt.Sprint(v))
		case uint64:
			return json.Number(fmt.Sprint(v))
		case float64:
			return json.Number(fmt.Sprint(v))
		}
		return v
	}
	return conv(v)
}

// TestSchemaAcceptsValidScenarios checks that the schema does not flag a
// file the loader accepts: every embedded example, and every file of
// testdata/ (which the loader tests load).
func TestSchemaAcceptsValidScenarios(t *testing.T) {
	t.Parallel()
	sch := compiledSchema(t)
	sources := map[string][]byte{}
	for _, name := range scenarios.ExampleNames() {
		src, err := scenarios.ExampleSource(name)
		if err != nil {
			t.Fatal(err)
		}
		sources["example:"+name] = src
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sources[file] = src
	}
	if len(sources) < 3 {
		t.Fatalf("only %d scenarios to check", len(sources))
	}
	for name, src := range sources {
		if _, err := scenarios.Parse(name, src); err != nil {
			t.Errorf("%s does not load: %v", name, err)
			continue
		}
		if err := sch.Validate(yamlToJSON(t, src)); err != nil {
			t.Errorf("%s loads but does not match %s: %v", name, schemaFile, err)
		}
	}
}

// TestSchemaFlagsTypos checks that the schema catches, as an editor would,
// mistakes the loader reports: an unknown key, a duration without a unit,
// an unknown strategy.
func TestSchemaFlagsTypos(t *testing.T) {
	t.Parallel()
	sch := compiledSchema(t)
	for _, file := range []string{"01-typo-top-level-key", "02-typo-nested-key", "05-duration-without-unit", "10-unknown-strategy"} {
		src, err := os.ReadFile("testdata/malformed/" + file + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(yamlToJSON(t, src)); err == nil {
			t.Errorf("%s.yaml matches %s; want a mismatch", file, schemaFile)
		}
	}
}
