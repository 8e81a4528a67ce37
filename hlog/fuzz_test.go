package hlog

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"
)

// FuzzRead: any input is read to intervals or refused with an error; it
// never panics or hangs, and what is read summarises and prints.
func FuzzRead(f *testing.F) {
	var log bytes.Buffer
	start := time.UnixMilli(1_760_000_000_000)
	path := f.TempDir() + "/seed.hlog"
	lw, err := Create(path, start, "seed")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range snapshots(f, "fanout", start, 50, 20) {
		lw.Export(s)
	}
	if err := lw.Close(); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	log.Write(data)
	f.Add(log.Bytes())
	f.Add([]byte("#[StartTime: 1.5 (seconds since epoch)]\n#[BaseTime: 1 (seconds since epoch)]\n"))
	f.Add([]byte("Tag=x,0.0,1.0,0.1,HISTFAAAAB\n"))
	f.Add([]byte("Tag=\n\n,,,\n1,2,3,\n"))
	f.Add([]byte("0.127,1.007,2.769,HISTFAAAAEV42pNpmSz\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ivs, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := WriteTable(io.Discard, Summarize(ivs)); err != nil {
			t.Fatal(err)
		}
	})
}
