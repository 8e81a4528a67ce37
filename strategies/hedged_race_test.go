//go:build race

package strategies

// hedgeRaceEnabled: the race detector makes sync.Pool drop a share of what
// is put back, so allocation counts through a pool are not meaningful.
const hedgeRaceEnabled = true
