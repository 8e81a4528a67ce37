package strategies

import "context"

// compensate sends, when the operation failed, the compensation of every
// call that had succeeded, one after another; it counts them in
// op.Compensations and keeps their results in op.CompensationResults (the
// zero CallResult for those not sent). It is part of the operation: the
// operation is not done until what it did is undone. The compensations run
// under ctx, the run's context, not a context the strategy cancelled to
// stop siblings.
func compensate(ctx context.Context, caller Caller, op *Operation, outcome Outcome) {
	op.Compensations = Compensations{}
	if len(op.CompensationResults) != len(op.Calls) {
		op.CompensationResults = make([]CallResult, len(op.Calls)) // once per Operation
	}
	clear(op.CompensationResults)
	if outcome != Failed {
		return
	}
	for i := range op.Calls {
		comp := op.Calls[i].Compensation
		if comp == nil || !op.Results[i].OK() {
			continue
		}
		r := caller.Call(ctx, op.Seq, comp)
		op.CompensationResults[i] = r
		op.Compensations.Sent++
		op.Compensations.Attempts += r.Attempts
		if !r.OK() {
			op.Compensations.Failed++
		}
	}
}
