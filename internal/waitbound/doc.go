// Package waitbound lets a package whose tests mostly wait (on loopback
// servers' latencies, real-time load schedules, child processes) run more
// of its parallel tests at once than `go test` would: its default,
// GOMAXPROCS, leaves a 2-core machine idle while each test sleeps. For
// TestMain only.
//
//	func TestMain(m *testing.M) {
//		waitbound.Parallel(4)
//		goleak.VerifyTestMain(m)
//	}
package waitbound
