package metrics

import (
	"bytes"
	"encoding/json"
	"flag"
	"testing"

	"github.com/invopop/jsonschema"

	"github.com/fanbench/fanbench/internal/golden"
	"github.com/fanbench/fanbench/internal/schematest"
)

var update = flag.Bool("update", false, "rewrite result.schema.json from the Result type")

const schemaFile = "result.schema.json"

// generatedSchema reflects the Result type, with its doc comments as
// descriptions. Fields without omitempty are required; no field outside
// the type is allowed, so a result that grew a field fails until the
// schema is regenerated (go test ./metrics -run Schema -update).
func generatedSchema(t *testing.T) []byte {
	t.Helper()
	r := &jsonschema.Reflector{ExpandedStruct: true}
	for _, dir := range []string{"./", "../draws"} { // draws: the webhook counts
		if err := r.AddGoComments("github.com/fanbench/fanbench/metrics", dir); err != nil {
			t.Fatal(err)
		}
	}
	s := r.Reflect(&Result{})
	s.ID = "https://github.com/fanbench/fanbench/metrics/result.schema.json"
	s.Title = "fanbench result file (" + Schema + ")"
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

func TestResultSchemaIsCurrent(t *testing.T) {
	got := generatedSchema(t)
	want := golden.Want(t, schemaFile, got, *update, "go test ./metrics -run Schema -update")
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what the Result type generates: run go test ./metrics -run Schema -update and commit it", schemaFile)
	}
}

func TestFullResultMatchesSchema(t *testing.T) {
	t.Parallel()
	_, a, b, err := halves(2000)
	if err != nil {
		t.Fatal(err)
	}
	res, err := MergeResults(a, b, "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	s := &res.Strategies[0]
	s.Strategy, s.Options = "pooled", map[string]string{"workers": "8"}
	s.Cost = &Cost{CPUSeconds: 1.5, CPUMsPer1000Ops: 300, PeakGoroutines: 40, PeakHeapBytes: 1 << 20, IncludesMocks: true}
	s.Compensations = &Compensations{Sent: 1}
	s.Pool = &PoolResult{Workers: 8, Depth: []Sample{{AtS: 0.1, Value: 3}}}
	s.Queue = &QueueResult{Consumers: 2, Backlog: []Sample{{AtS: 0.1, Value: 3}}}
	res.Warnings = []string{"a warning"}
	res.Environment = CurrentEnvironment("test")
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
}
