package metrics

import (
	"encoding/json"
	"testing"

	"github.com/fanbench/fanbench/draws"
)

// Callbacks are written with the receiver's counts as keys of their own
// (the embedded draws.WebhookCounts is flat in the file), read back the
// same, and merged by adding every count.
func TestCallbacksJSONAndMerge(t *testing.T) {
	t.Parallel()
	a := &Callbacks{WebhookCounts: draws.WebhookCounts{Received: 10, Completed: 7, Duplicates: 1, Unmatched: 1, BadSignature: 1},
		Sent: 9, Duplicated: 1, Lost: 2, Late: 1}
	b := &Callbacks{WebhookCounts: draws.WebhookCounts{Received: 3, Completed: 2, Stale: 1}, Sent: 2, Lost: 1}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"received":10,"completed":7,"duplicates":1,"unmatched":1,"bad_signature":1,"stale":0,"malformed":0,"sent":9,"duplicated":1,"lost":2,"late":1}`
	if string(data) != want {
		t.Errorf("json.Marshal(callbacks) =\n %s\nwant\n %s", data, want)
	}
	var back Callbacks
	if err := json.Unmarshal(data, &back); err != nil || back != *a {
		t.Errorf("read back %+v (%v), want %+v", back, err, *a)
	}
	got := mergeCallbacks(a, b)
	sum := Callbacks{WebhookCounts: draws.WebhookCounts{Received: 13, Completed: 9, Duplicates: 1, Unmatched: 1, BadSignature: 1, Stale: 1},
		Sent: 11, Duplicated: 1, Lost: 3, Late: 1}
	if *got != sum {
		t.Errorf("mergeCallbacks = %+v, want %+v", *got, sum)
	}
	if mergeCallbacks(nil, b) != b || mergeCallbacks(a, nil) != a {
		t.Errorf("a merge with one side absent does not keep the other")
	}
}
