//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWatchSignals: the first signal cancels the context with the signal
// as its cause (exit code 128 + its number); the second aborts with that
// code. Not parallel: it signals the test process itself.
func TestWatchSignals(t *testing.T) {
	var stderr bytes.Buffer
	aborted := make(chan int, 1)
	ctx, stop := watchSignals(context.Background(), &stderr, func(code int) { aborted <- code })
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGHUP did not cancel the context")
	}
	i, ok := errors.AsType[interruption](context.Cause(ctx))
	if !ok || i.exitCode() != 129 {
		t.Fatalf("cause %v, want an interruption by SIGHUP (exit 129)", context.Cause(ctx))
	}
	err := interruptedError{cause: context.Cause(ctx)}
	if err.code() != 129 || !strings.Contains(err.Error(), "the run was interrupted by SIGHUP") {
		t.Errorf("interruptedError: %q, code %d", err, err.code())
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-aborted:
		if code != 143 {
			t.Errorf("the second signal (SIGTERM) aborted with %d, want 143", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second signal did not abort")
	}
	if !strings.Contains(stderr.String(), "SIGTERM again: aborting at once") {
		t.Errorf("stderr: %q", stderr.String())
	}
}
