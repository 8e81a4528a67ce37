//go:build race

package precise

// raceEnabled: the race detector makes sync.Pool drop a share of what is
// put back, so allocation counts through a pool are not meaningful.
const raceEnabled = true
