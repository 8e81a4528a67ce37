// Package loadgen drives operations at a schedule: it decides when each
// operation is due and hands it to a worker, whatever the operation does.
//
// The open model's schedules are Pacers, pure functions from an
// operation's number to its intended start, so they are tested with tables
// of numbers: Constant (a fixed rate), Ramp (linear stages of rate, solved
// exactly, as k6's ramping-arrival-rate) and Poisson (seeded exponential
// gaps over a constant rate or a ramp). The closed model's schedule is
// Users: how many virtual users are active at each moment (constant or in
// stages), each running one operation after another with a think time.
//
// Drive runs a schedule against the clock. In the open model it stamps
// every operation with its intended start (the time latency is measured
// from, which corrects coordinated omission) and caps the operations in
// flight: an operation over the cap waits for a slot, and the wait counts
// in its latency because its intended start does not move; or, with
// DropAtCap, it is not run and is counted as dropped. Operations due in the
// warm-up run but are marked so the caller leaves them out; at the end, or
// when ctx ends, operations in flight get the grace period, and those still
// running after it see their context cancelled.
//
//	stats, err := loadgen.Drive(ctx, loadgen.Config{
//		Pacer:       loadgen.Constant{Rate: 20, Duration: 10 * time.Second},
//		MaxInFlight: 100,
//		Grace:       10 * time.Second,
//		NewWorker:   func(id int) loadgen.Worker { return myWorker(id) },
//	})
package loadgen
