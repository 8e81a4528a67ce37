// Package stats holds the significance test that both the run's verdict
// and the baseline comparison use: a Mann-Whitney U test (benchstat's), and
// the fewest samples that can reach a given significance at all.
//
//	if stats.UTestP(roundsA, roundsB, 0.05) < 0.05 { /* a real difference */ }
package stats
