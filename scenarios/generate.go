package scenarios

// schema.json, the JSON Schema of the scenario format that editors use for
// completion and checks, is generated from the Go types by a test; rewrite
// it after changing a type or its doc comments.
//go:generate go test -run TestScenarioSchemaIsCurrent -update .
