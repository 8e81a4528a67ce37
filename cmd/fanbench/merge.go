package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/fanbench/fanbench/metrics"
)

func newMergeCmd(stdout io.Writer) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge A.json B.json --out C.json",
		Short: "Merge two result files of the same scenario",
		Long: `Merge two result files of the same scenario, such as two generators that ran it
side by side, into one: histograms are merged from their encodings (every
percentile recomputed exactly), counts summed, per-second windows summed by
their offset from each strategy's start. Results of different scenarios are
refused (exit code 2, naming the file), as are inconsistent files (counts that
disagree with their histograms: merging them would give wrong numbers). The
output is written atomically.`,
		Example: `  fanbench merge left.json right.json --out both.json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("merge takes exactly two result files, got %d", len(args))
			}
			if out == "" {
				return usagef("merge needs --out FILE")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkFiles([]fileUse{input("a result file", args[0]), input("a result file", args[1]), output("--out", out)}); err != nil {
				return err
			}
			rs, err := readResults(args)
			if err != nil {
				return err
			}
			merged, err := metrics.MergeResults(rs[0], rs[1], args[0], args[1])
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := writeResultJSON(&buf, merged); err != nil {
				return err
			}
			if err := writeTo(stdout, out, buf.Bytes()); err != nil {
				return writeFailure{fmt.Errorf("writing the merged result (--out): %w", err)}
			}
			if out == stdoutPath {
				return nil
			}
			fmt.Fprintf(stdout, "%s: %d strategies merged from %s and %s\n", out, len(merged.Strategies), args[0], args[1])
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write the merged result to")
	return cmd
}
