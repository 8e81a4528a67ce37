// Package loadgen drives operations at a schedule: it decides when each
// operation is due and hands it to a worker, whatever the operation does.
//
// A Pacer is a pure function from an operation's number to its intended
// start, so schedules are tested with tables of numbers. Drive runs a pacer
// against the clock: it stamps every operation with its intended start (the
// time latency is measured from, which corrects coordinated omission) and
// caps the operations in flight. An operation over the cap waits for a slot,
// and the wait counts in its latency because its intended start does not move.
//
//	stats, err := loadgen.Drive(ctx, loadgen.Config{
//		Pacer:       loadgen.Constant{Rate: 20, Duration: 10 * time.Second},
//		MaxInFlight: 100,
//		NewWorker:   func(id int) loadgen.Worker { return myWorker(id) },
//	})
package loadgen
