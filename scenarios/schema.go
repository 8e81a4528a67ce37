package scenarios

import _ "embed"

// schemaJSON is the JSON Schema of scenario files; see generate.go.
//
//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema of scenario files, for editors.
func Schema() []byte { return schemaJSON }
