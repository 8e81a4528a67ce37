package main

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fanbench/fanbench/scenarios"
)

func newValidateCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without running them",
		Long: `Check scenario files without running them. Every problem of every file is
reported, each with its file, line, column and field; the exit code is 2 when
any file is invalid.`,
		Example: `  fanbench validate scenario.yaml
  fanbench validate scenarios/*.yaml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("validate needs at least one scenario file")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			var errs []error
			for _, path := range args {
				if _, err := scenarios.Load(path); err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintf(stdout, "%s: ok\n", path)
			}
			return errors.Join(errs...)
		},
	}
}

func newExamplesCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "examples [NAME]",
		Short: "List the embedded example scenarios, or print one",
		Example: `  fanbench examples
  fanbench examples seed > my-scenario.yaml
  fanbench run --example seed`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("examples takes at most one name")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				src, err := scenarios.ExampleSource(args[0])
				if err != nil {
					return err
				}
				// Editors with the YAML language server then check and
				// complete the copy against the scenario schema.
				_, err = fmt.Fprintf(stdout, "# yaml-language-server: $schema=%s\n%s", schemaURL, src)
				return err
			}
			for _, name := range scenarios.ExampleNames() {
				sc, err := scenarios.Example(name)
				if err != nil {
					return err
				}
				desc, _, _ := strings.Cut(strings.TrimSpace(sc.Description), "\n")
				fmt.Fprintf(stdout, "%-20s %s\n", name, desc)
			}
			return nil
		},
	}
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print fanbench's version, commit and Go version",
		Example: `  fanbench version`,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			bi, _ := debug.ReadBuildInfo()
			goVersion, commit := "unknown", "unknown"
			if bi != nil {
				goVersion = bi.GoVersion
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						commit = s.Value
					}
				}
			}
			if commitOverride != "" {
				commit = commitOverride
			}
			fmt.Fprintf(stdout, "fanbench %s\ncommit %s\n%s\n", version(), commit, goVersion)
			return nil
		},
	}
}

// Set at build time by the Makefile: -ldflags "-X main.versionOverride=… -X main.commitOverride=…".
var versionOverride, commitOverride string

// version is the fanbench version: from the build flags, else from the
// module's build info, else "dev".
func version() string {
	if versionOverride != "" {
		return versionOverride
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
