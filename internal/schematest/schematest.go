// Package schematest checks result files against the committed JSON Schema
// of the result format (metrics/result.schema.json), for the tests of the
// packages that write results. It is for tests only: the fanbench binary
// does not validate its own output.
package schematest

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	jsv "github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaPath is the committed schema, found from this file's place in the
// module so that tests of any package can use it.
func SchemaPath() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "metrics", "result.schema.json")
}

// Validate fails t when data, a result file's bytes, does not match the
// committed schema.
func Validate(t testing.TB, data []byte) {
	t.Helper()
	path := SchemaPath()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsv.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsv.NewCompiler()
	if err := c.AddResource("result.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("result.schema.json")
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	inst, err := jsv.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("the result does not match %s: %v", path, err)
	}
}
