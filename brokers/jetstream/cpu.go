package jetstream

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/pprof"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
)

// The pprof label on the goroutines of the embedded server and of the
// NATS client: goroutines inherit their creator's labels, so starting the
// server, opening its in-process connections and connecting the client
// under a label marks every goroutine they start.
const (
	labelKey    = "fanbench"
	labelServer = "nats-server"
	labelClient = "nats-client"
)

// under runs f with the goroutine labelled fanbench=who.
func under(who string, f func()) {
	pprof.Do(context.Background(), pprof.Labels(labelKey, who), func(context.Context) { f() })
}

// cpuWatch is a CPU profile of the process while an embedded server runs,
// from which the labelled goroutines' CPU time is summed. Only one CPU
// profile can run in a process: when another runs (fanbench run
// --cpuprofile, or a second embedded broker), the watch does nothing and
// the CPU time is unknown.
type cpuWatch struct {
	buf     bytes.Buffer
	running bool
	once    sync.Once
	server  *float64
	client  *float64
}

func startCPUWatch() *cpuWatch {
	w := &cpuWatch{}
	w.running = pprof.StartCPUProfile(&w.buf) == nil
	return w
}

// stop ends the profile and returns the CPU seconds of the server's and
// the client's goroutines; nil when unknown.
func (w *cpuWatch) stop() (server, client *float64) {
	w.once.Do(func() {
		if !w.running {
			return
		}
		pprof.StopCPUProfile()
		by, err := cpuByLabel(w.buf.Bytes(), labelKey)
		w.buf = bytes.Buffer{}
		if err != nil {
			return
		}
		s, c := by[labelServer], by[labelClient]
		w.server, w.client = &s, &c
	})
	return w.server, w.client
}

// errProfile is the error of bytes that are not a CPU profile.
var errProfile = errors.New("not a gzipped CPU profile")

// cpuByLabel sums the CPU seconds of a gzipped pprof CPU profile by the
// value of one label. It reads the few fields it needs of profile.proto:
// the sample types (to find "cpu"), the samples' values and labels, and
// the string table.
func cpuByLabel(gz []byte, label string) (map[string]float64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errProfile, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errProfile, err)
	}
	type sample struct {
		values []int64
		labels [][2]int64 // key and value, as string-table indexes
	}
	var (
		types   []int64 // sample types' names, as string-table indexes
		samples []sample
		strs    []string
	)
	err = fields(raw, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch {
		case num == 1 && typ == protowire.BytesType: // sample_type
			var name int64
			err := fields(v, func(n protowire.Number, t protowire.Type, vt []byte) error {
				if n == 1 && t == protowire.VarintType {
					x, _ := protowire.ConsumeVarint(vt)
					name = int64(x)
				}
				return nil
			})
			types = append(types, name)
			return err
		case num == 2 && typ == protowire.BytesType: // sample
			var s sample
			err := fields(v, func(n protowire.Number, t protowire.Type, vs []byte) error {
				switch {
				case n == 2 && t == protowire.BytesType: // packed values
					for len(vs) > 0 {
						x, k := protowire.ConsumeVarint(vs)
						if k < 0 {
							return errProfile
						}
						s.values = append(s.values, int64(x))
						vs = vs[k:]
					}
				case n == 2 && t == protowire.VarintType:
					x, _ := protowire.ConsumeVarint(vs)
					s.values = append(s.values, int64(x))
				case n == 3 && t == protowire.BytesType: // label
					var kv [2]int64
					err := fields(vs, func(n protowire.Number, t protowire.Type, vl []byte) error {
						if (n == 1 || n == 2) && t == protowire.VarintType {
							x, _ := protowire.ConsumeVarint(vl)
							kv[n-1] = int64(x)
						}
						return nil
					})
					if err != nil {
						return err
					}
					s.labels = append(s.labels, kv)
				}
				return nil
			})
			samples = append(samples, s)
			return err
		case num == 6 && typ == protowire.BytesType: // string_table
			strs = append(strs, string(v))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	str := func(i int64) string {
		if i < 0 || i >= int64(len(strs)) {
			return ""
		}
		return strs[i]
	}
	cpu := -1
	for i, t := range types {
		if str(t) == "cpu" {
			cpu = i
		}
	}
	if cpu < 0 {
		return nil, fmt.Errorf("%w: no cpu sample type", errProfile)
	}
	out := map[string]float64{}
	for _, s := range samples {
		if cpu >= len(s.values) {
			continue
		}
		for _, kv := range s.labels {
			if str(kv[0]) == label {
				out[str(kv[1])] += float64(s.values[cpu]) / 1e9
			}
		}
	}
	return out, nil
}

// fields calls f with each field of the protobuf message b: its number,
// its wire type and its value (a varint's bytes, or a length-delimited
// field's content).
func fields(b []byte, f func(protowire.Number, protowire.Type, []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errProfile
		}
		b = b[n:]
		var v []byte
		switch typ {
		case protowire.VarintType:
			_, k := protowire.ConsumeVarint(b)
			if k < 0 {
				return errProfile
			}
			v, b = b[:k], b[k:]
		case protowire.BytesType:
			x, k := protowire.ConsumeBytes(b)
			if k < 0 {
				return errProfile
			}
			v, b = x, b[k:]
		default:
			k := protowire.ConsumeFieldValue(num, typ, b)
			if k < 0 {
				return errProfile
			}
			b = b[k:]
			continue
		}
		if err := f(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}
