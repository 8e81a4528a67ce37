//go:build !race

package strategies

const hedgeRaceEnabled = false
