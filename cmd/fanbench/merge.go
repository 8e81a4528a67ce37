package main

import (
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
refused (exit code 2, naming the file). The output is written atomically.`,
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
			a, err := metrics.ReadResult(args[0])
			if err != nil {
				return err
			}
			b, err := metrics.ReadResult(args[1])
			if err != nil {
				return err
			}
			merged, err := metrics.MergeResults(a, b, args[0], args[1])
			if err != nil {
				return err
			}
			if err := metrics.WriteResult(out, merged); err != nil {
				return fmt.Errorf("writing %s: %w", out, err)
			}
			fmt.Fprintf(stdout, "%s: %d strategies merged from %s and %s\n", out, len(merged.Strategies), args[0], args[1])
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write the merged result to")
	return cmd
}
