package precise

import "testing"

// A returned sleeper is reused only once restingSleepers others wait
// behind it, oldest first, across the ring's growth.
func TestSleeperQueueRestsSleepers(t *testing.T) {
	var q sleeperQueue
	made := make([]*sleeper, 3*restingSleepers)
	for i := range made {
		made[i] = q.get()
		for j := range i {
			if made[j] == made[i] {
				t.Fatalf("get %d returned sleeper %d again while %d were idle", i, j, q.n)
			}
		}
	}
	for _, s := range made {
		q.put(s)
	}
	for i := range len(made) - restingSleepers {
		if got := q.get(); got != made[i] {
			t.Fatalf("get %d after putting %d back: not the oldest", i, len(made))
		}
	}
	if s := q.get(); q.n != restingSleepers || s.index != -1 || cap(s.wake) != 1 {
		t.Errorf("with %d idle, get reused one (%d idle after)", restingSleepers, q.n)
	}
}

// The queue keeps at most maxIdleSleepers.
func TestSleeperQueueBounded(t *testing.T) {
	var q sleeperQueue
	for range maxIdleSleepers + 10 {
		q.put(&sleeper{index: -1})
	}
	if q.n != maxIdleSleepers {
		t.Errorf("kept %d idle sleepers, want %d", q.n, maxIdleSleepers)
	}
}
