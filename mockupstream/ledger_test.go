package mockupstream

import (
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fanbench/fanbench/draws"
)

// uuidKey returns a distinct key for each i, shaped like the UUIDs clients
// send as idempotency keys.
func uuidKey(buf []byte, i uint64) []byte {
	const hexdigits = "0123456789abcdef"
	a, b := draws.Mix64(i), draws.SplitMix(i)
	buf = buf[:0]
	for j := range 32 {
		if j == 8 || j == 12 || j == 16 || j == 20 {
			buf = append(buf, '-')
		}
		w := a
		if j >= 16 {
			w = b
		}
		buf = append(buf, hexdigits[(w>>(4*(j%16)))&15])
	}
	return buf
}

type rec struct {
	key    string
	status int
}

func TestLedgerCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		recs []rec
		want LedgerStats // without TableBytes and DuplicateSamples
		dups []string
	}{
		{"empty", nil, LedgerStats{}, nil},
		{"no keys", []rec{{"", 200}, {"", 503}}, LedgerStats{WithoutKey: 2}, nil},
		{"distinct, all accepted", []rec{{"a", 200}, {"b", 201}, {"c", 204}},
			LedgerStats{Received: 3, UniqueKeys: 3, AcceptedKeys: 3}, nil},
		{"non-2xx is not accepted", []rec{{"a", 503}, {"b", 429}, {"c", 302}, {"d", 100}},
			LedgerStats{Received: 4, UniqueKeys: 4}, nil},
		{"retry after 503 delivers once", []rec{{"a", 503}, {"a", 503}, {"a", 200}},
			LedgerStats{Received: 3, UniqueKeys: 1, DuplicatedKeys: 1, DuplicateRequests: 2, AcceptedKeys: 1}, []string{"a"}},
		{"delivered twice", []rec{{"a", 200}, {"a", 200}, {"a", 200}, {"b", 200}},
			LedgerStats{Received: 4, UniqueKeys: 2, DuplicatedKeys: 1, DuplicateRequests: 2, AcceptedKeys: 2, DuplicateAccepted: 2}, []string{"a"}},
		{"accepted then refused", []rec{{"a", 200}, {"a", 409}},
			LedgerStats{Received: 2, UniqueKeys: 1, DuplicatedKeys: 1, DuplicateRequests: 1, AcceptedKeys: 1}, []string{"a"}},
		{"a mix", []rec{
			{"k1", 200}, {"", 200}, {"k2", 503}, {"k1", 200}, {"k3", 200}, {"k2", 200},
			{"k4", 500}, {"k2", 200}, {"", 429}, {"k3", 500}, {"K1", 200},
		}, LedgerStats{
			Received: 9, UniqueKeys: 5, DuplicatedKeys: 3, DuplicateRequests: 4,
			WithoutKey: 2, AcceptedKeys: 4, DuplicateAccepted: 2,
		}, []string{"k1", "k2", "k3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := NewLedger()
			for _, r := range tt.recs {
				l.Record(r.key, r.status)
			}
			got := l.Snapshot()
			if strings.Join(got.DuplicateSamples, ",") != strings.Join(tt.dups, ",") {
				t.Errorf("after %v: DuplicateSamples = %q, want %q", tt.recs, got.DuplicateSamples, tt.dups)
			}
			got.DuplicateSamples, got.TableBytes = nil, 0
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("after %v:\n got %+v\nwant %+v", tt.recs, got, tt.want)
			}
			for _, r := range tt.recs {
				if r.key != "" && !l.Contains(r.key) {
					t.Errorf("Contains(%q) = false after Record(%q)", r.key, r.key)
				}
			}
			if l.Contains("never-sent") || l.Contains("") {
				t.Errorf("Contains of a key never recorded, or of \"\", is true")
			}
		})
	}
}

// Many goroutines recording overlapping keys with mixed statuses end with
// counts that do not depend on the interleaving.
func TestLedgerConcurrent(t *testing.T) {
	t.Parallel()
	const (
		workers = 8
		keys    = 3000 // each worker records every key whose index ≡ its number mod 2 or 3
	)
	l := NewLedger()
	var wg sync.WaitGroup
	perKey := make([]int, keys)      // times recorded
	per2xx := make([]int, keys)      // times answered 2xx
	statusOf := func(w, k int) int { // deterministic per (worker, key)
		if (w+k)%3 == 0 {
			return 503
		}
		return 200
	}
	for w := range workers {
		for k := range keys {
			if k%2 == w%2 || k%3 == w%3 {
				perKey[k]++
				if statusOf(w, k) == 200 {
					per2xx[k]++
				}
			}
		}
	}
	for w := range workers {
		wg.Go(func() {
			for k := range keys {
				if k%2 == w%2 || k%3 == w%3 {
					l.Record("key-"+strconv.Itoa(k), statusOf(w, k))
				}
				if k%100 == 0 {
					l.Record("", 200)
					_ = l.Snapshot() // readers alongside writers
				}
			}
		})
	}
	wg.Wait()
	var want LedgerStats
	for k := range keys {
		want.Received += uint64(perKey[k])
		if perKey[k] > 0 {
			want.UniqueKeys++
		}
		if perKey[k] > 1 {
			want.DuplicatedKeys++
		}
		if per2xx[k] > 0 {
			want.AcceptedKeys++
			want.DuplicateAccepted += uint64(per2xx[k] - 1)
		}
	}
	want.DuplicateRequests = want.Received - want.UniqueKeys
	want.WithoutKey = workers * keys / 100
	got := l.Snapshot()
	if len(got.DuplicateSamples) != MaxDuplicateSamples {
		t.Errorf("%d duplicate samples kept, want %d", len(got.DuplicateSamples), MaxDuplicateSamples)
	}
	got.DuplicateSamples, got.TableBytes = nil, 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after %d concurrent workers:\n got %+v\nwant %+v", workers, got, want)
	}
}

// 100,000 keys: every one found, none invented, and the tables within 16
// bytes per key.
func TestLedgerMemoryPerKey(t *testing.T) {
	t.Parallel()
	const n = 100_000
	l := NewLedger()
	var buf []byte
	for i := range uint64(n) {
		buf = uuidKey(buf, i)
		l.Record(string(buf), 200)
	}
	st := l.Snapshot()
	if st.UniqueKeys != n || st.Received != n || st.AcceptedKeys != n || st.DuplicatedKeys != 0 {
		t.Fatalf("after %d distinct keys: %+v", n, st)
	}
	perKey := float64(st.TableBytes) / n
	if perKey < 8 || perKey > 16 {
		t.Errorf("the tables take %.1f bytes per key (%d bytes for %d keys), want 8 to 16", perKey, st.TableBytes, n)
	}
	for i := range uint64(n) {
		if buf = uuidKey(buf, i); !l.Contains(string(buf)) {
			t.Fatalf("Contains(%s) = false for key %d", buf, i)
		}
		// Keys never recorded: a false positive has probability 2⁻⁶⁴·n.
		if buf = uuidKey(buf, i+n); l.Contains(string(buf)) {
			t.Fatalf("Contains(%s) = true for a key never recorded", buf)
		}
	}
}

func TestLedgerSamplesBounded(t *testing.T) {
	t.Parallel()
	l := NewLedger()
	long := strings.Repeat("é", 200) // 400 bytes; the cut must not split a rune
	l.Record(long, 200)
	l.Record(long, 200)
	for i := range 2 * MaxDuplicateSamples {
		k := fmt.Sprintf("dup-%03d", i)
		l.Record(k, 200)
		l.Record(k, 200)
	}
	st := l.Snapshot()
	if len(st.DuplicateSamples) != MaxDuplicateSamples {
		t.Fatalf("%d samples kept, want %d", len(st.DuplicateSamples), MaxDuplicateSamples)
	}
	if got := st.DuplicateSamples[0]; got != strings.Repeat("é", 128) {
		t.Errorf("the long key was kept as %d bytes %q…, want its first 256 bytes", len(got), got[:min(len(got), 10)])
	}
	if got, want := st.DuplicateSamples[MaxDuplicateSamples-1], fmt.Sprintf("dup-%03d", MaxDuplicateSamples-2); got != want {
		t.Errorf("the last sample is %q, want %q (the samples are the first found)", got, want)
	}
	if st.DuplicatedKeys != 2*MaxDuplicateSamples+1 {
		t.Errorf("DuplicatedKeys = %d, want %d: the cap is on the samples, not the count", st.DuplicatedKeys, 2*MaxDuplicateSamples+1)
	}
}

func TestLedgerReset(t *testing.T) {
	t.Parallel()
	l := NewLedger()
	for i := range 1000 {
		l.Record(strconv.Itoa(i%600), 200)
	}
	l.Record("", 200)
	l.Reset()
	if st := l.Snapshot(); st.Received != 0 || st.UniqueKeys != 0 || st.WithoutKey != 0 ||
		st.DuplicatedKeys != 0 || st.AcceptedKeys != 0 || st.DuplicateAccepted != 0 ||
		len(st.DuplicateSamples) != 0 || st.TableBytes != 0 {
		t.Errorf("after Reset: %+v, want all zero", st)
	}
	if l.Contains("1") {
		t.Errorf("Contains(\"1\") = true after Reset")
	}
	l.Record("1", 200)
	l.Record("1", 200)
	if st := l.Snapshot(); st.UniqueKeys != 1 || st.DuplicatedKeys != 1 || len(st.DuplicateSamples) != 1 {
		t.Errorf("recording after Reset: %+v", st)
	}
}

func TestLedgerRecordAllocs(t *testing.T) {
	l := NewLedger()
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = string(uuidKey(nil, uint64(i)))
		l.Record(keys[i], 200) // the tables have grown now
	}
	for _, k := range keys[:MaxDuplicateSamples] {
		l.Record(k, 200) // the samples are full now
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		l.Record(keys[i%len(keys)], 200)
		l.Record("", 503)
		i++
	})
	if allocs != 0 {
		t.Errorf("Record allocates %.1f times per call, want 0", allocs)
	}
}

func BenchmarkLedgerRecord(b *testing.B) {
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = string(uuidKey(nil, uint64(i)))
	}
	l := NewLedger()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			l.Record(keys[i&(len(keys)-1)], 200)
			i++
		}
	})
}

// BenchmarkLedger10M records 10 million distinct UUID-shaped keys and
// reports the memory they take: the tables' size, and the heap growth as
// the runtime sees it.
func BenchmarkLedger10M(b *testing.B) {
	const n = 10_000_000
	buf := make([]byte, 0, 36)
	for range b.N {
		b.StopTimer()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		l := NewLedger()
		b.StartTimer()
		for i := range uint64(n) {
			buf = uuidKey(buf, i)
			l.Record(string(buf), 200)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		st := l.Snapshot()
		if st.UniqueKeys != n {
			b.Fatalf("%d unique keys of %d: a hash collision, probability about 3e-6", st.UniqueKeys, n)
		}
		b.ReportMetric(float64(st.TableBytes)/n, "table-B/key")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/key")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/key")
		runtime.KeepAlive(l)
		b.StartTimer()
	}
}
