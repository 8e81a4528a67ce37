package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exitInterrupted is the exit code of a run stopped by a signal that is
// not known (a context cancelled without one): 128 + SIGINT, as a shell
// reports a process that Ctrl-C ended.
const exitInterrupted = 128 + 2

// stopSignals stop a run: the first drains it and writes what it measured,
// the second aborts. SIGHUP is one of them unless the process started with
// it ignored (nohup), which is then respected.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// interruption is the cause of a context cancelled by a signal.
type interruption struct{ sig os.Signal }

func (i interruption) Error() string { return "interrupted by " + signalName(i.sig) }

// exitCode is 128 + the signal's number, as a shell reports a process a
// signal ended: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
func (i interruption) exitCode() int {
	if s, ok := i.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitInterrupted
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT (Ctrl-C)"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}

// watchSignals returns a context that the first stop signal cancels, with
// an interruption as its cause; the second calls abort with the exit code
// it deserves (main passes os.Exit). The handler stays installed to the
// end: restoring the default after the first signal would leave a signal
// that the process started with ignored (SIGINT in a background job)
// ignored again, and the second Ctrl-C would do nothing. stop releases
// the handler.
func watchSignals(parent context.Context, stderr io.Writer, abort func(code int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, stopSignals()...)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			cancel(interruption{sig})
		case <-done:
			return
		}
		select {
		case sig := <-ch:
			i := interruption{sig}
			fmt.Fprintf(stderr, "fanbench: %s again: aborting at once; nothing more is written\n", signalName(sig))
			abort(i.exitCode())
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// errInterrupted marks a run stopped by a signal (or its context ended):
// it wrote what it measured, and exits with interruptedError.code.
var errInterrupted = errors.New("interrupted")

// interruptedError is a run that was stopped, with what else failed.
type interruptedError struct {
	cause error // the context's cause: an interruption, or why it ended
	also  error // failed thresholds, judged on what ran
}

func (e interruptedError) Error() string {
	msg := "the run was interrupted"
	if i, ok := errors.AsType[interruption](e.cause); ok {
		msg = "the run was " + i.Error()
	}
	msg += "; the result covers what ran before the stop"
	if e.also != nil {
		msg += "; " + e.also.Error()
	}
	return msg
}

func (e interruptedError) Is(target error) bool { return target == errInterrupted }

// code is the exit code: 128 + the signal's number.
func (e interruptedError) code() int {
	if i, ok := errors.AsType[interruption](e.cause); ok {
		return i.exitCode()
	}
	return exitInterrupted
}
