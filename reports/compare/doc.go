// Package compare tells a regression from noise: it compares the results of
// a scenario run against a stored baseline, strategy by strategy and metric
// by metric, and says for each whether it is better, worse or unchanged (~).
//
// A change counts only when it is both statistically significant (a
// Mann-Whitney U test at α = 0.05, as benchstat does, over the per-repeat
// figures of each side, or over the per-second windows of one run a side)
// and beyond the metric's tolerance (a relative change, or percentage points
// for rates). A worse change that is both is a regression.
//
//	base, _ := metrics.ReadResult("baselines/seed.json")
//	cur, _ := metrics.ReadResult("result.json")
//	c, err := compare.Compare([]*metrics.Result{base}, []*metrics.Result{cur}, compare.Options{})
//	if err != nil { ... } // different scenarios, no strategy in common
//	_ = compare.Markdown(os.Stdout, c)
//	if c.Regressed { os.Exit(1) }
package compare
