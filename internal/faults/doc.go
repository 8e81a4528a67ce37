// Package faults is the fault suite: it builds the fanbench binary once
// and feeds it what a careless or hostile user would — files too large,
// malformed or inconsistent, absurd sizes, outputs over inputs, signals
// in the middle of a run — and checks that every one ends with a message
// that names its cause and the exit code the documentation gives
// (docs/limits.md), never a crash, a hang or a lost file. Some of it runs
// the binary under a memory limit. It holds only tests:
//
//	go test ./internal/faults            # the suite
//	go test ./internal/faults -update    # rewrite the golden messages
//	FANBENCH_FAULTS_BINARY=/usr/local/bin/fanbench go test ./internal/faults   # another build
package faults
