package main

import (
	"github.com/spf13/cobra"

	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// completionExample shows how to load the script that cobra's completion
// command prints, per shell.
const completionExample = `  source <(fanbench completion bash)         # bash, this shell only
  fanbench completion bash > /etc/bash_completion.d/fanbench
  fanbench completion zsh > "${fpath[1]}/_fanbench"
  fanbench completion fish > ~/.config/fish/completions/fanbench.fish
  fanbench completion powershell | Out-String | Invoke-Expression`

// addCompletions makes cobra's completion command visible, with an example,
// and completes what fanbench knows beyond file names: the names of the
// embedded examples (fanbench examples NAME, run --example NAME), the
// output formats, scenario files by their extension.
func addCompletions(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	yamlFiles := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	}
	exampleNames := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return scenarios.ExampleNames(), cobra.ShellCompDirectiveNoFileComp
	}
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "completion":
			cmd.Example = completionExample
		case "examples":
			cmd.ValidArgsFunction = func(c *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return exampleNames(c, args, s)
			}
		case "run", "validate", "mock":
			cmd.ValidArgsFunction = yamlFiles
		case "report":
			cmd.ValidArgsFunction = cobra.FixedCompletions([]string{"json"}, cobra.ShellCompDirectiveFilterFileExt)
		}
		// The flags exist on some commands only; a missing one is skipped.
		if cmd.Flags().Lookup("example") != nil {
			_ = cmd.RegisterFlagCompletionFunc("example", exampleNames)
		}
		if cmd.Flags().Lookup("format") != nil {
			formats := outputFormats
			if cmd.Name() == "compare" {
				formats = compareFormats()
			}
			_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
		}
		for flag, ext := range map[string]string{"html": "html", "markdown": "md", "csv": "csv"} {
			if cmd.Flags().Lookup(flag) != nil {
				_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions([]string{ext}, cobra.ShellCompDirectiveFilterFileExt))
			}
		}
		if cmd.Flags().Lookup("config") != nil {
			_ = cmd.RegisterFlagCompletionFunc("config", yamlFiles)
		}
		if cmd.Flags().Lookup("strategies") != nil {
			_ = cmd.RegisterFlagCompletionFunc("strategies", strategyNames)
		}
	}
}

// strategyNames completes --strategies from the strategy registry, each
// name with its one-line description.
func strategyNames(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, d := range strategies.Definitions() {
		out = append(out, cobra.CompletionWithDesc(d.Name, d.Doc))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
