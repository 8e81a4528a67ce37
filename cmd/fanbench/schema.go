package main

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

// schemaURL is where editors find the scenario schema, for the line that
// `fanbench examples NAME` opens with.
const schemaURL = "https://raw.githubusercontent.com/fanbench/fanbench/main/scenarios/schema.json"

func newSchemaCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "schema [scenario|result]",
		Short: "Print the JSON Schema of scenario files (or of result files)",
		Long: `Print the JSON Schema of scenario files, for editors' completion and checks
(the YAML language server reads it from a "# yaml-language-server: $schema=PATH"
first line), or with "result" the schema of result files.`,
		Example: `  fanbench schema > fanbench.schema.json
  fanbench schema result > result.schema.json`,
		ValidArgs: []string{"scenario", "result"},
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 || len(args) == 1 && args[0] != "scenario" && args[0] != "result" {
				return usagef("schema takes scenario (the default) or result, not %q", strings.Join(args, " "))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			doc := scenarios.Schema()
			if len(args) == 1 && args[0] == "result" {
				doc = metrics.ResultSchema()
			}
			_, err := stdout.Write(doc)
			return err
		},
	}
}
