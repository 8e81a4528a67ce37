package scenarios

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const requestsBase = `name: t
upstreams:
  a: {mock: {latency: 10ms}}
operation:
  calls: [{upstream: a, path: "/u/{{.Data.user}}"}]
strategies: [fanout]
load: {rate: 10/s, duration: 1s}
`

func TestDataTable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, data, csv string
		wantCols        []string
		wantRows        [][]string
		wantErr         string
	}{
		{name: "rows", data: "data: {rows: [{user: alice, plan: pro}, {user: bob, plan: free}]}",
			wantCols: []string{"plan", "user"}, wantRows: [][]string{{"pro", "alice"}, {"free", "bob"}}},
		{name: "csv beside the scenario", data: "data: {csv: users.csv}", csv: "user,plan\nalice,pro\n\"b,ob\",free\n",
			wantCols: []string{"user", "plan"}, wantRows: [][]string{{"alice", "pro"}, {"b,ob", "free"}}},
		{name: "csv ragged", data: "data: {csv: users.csv}", csv: "user,plan\nalice\n", wantErr: "wrong number of fields"},
		{name: "csv header only", data: "data: {csv: users.csv}", csv: "user\n", wantErr: "has no rows under its header line"},
		{name: "csv empty", data: "data: {csv: users.csv}", csv: "", wantErr: "is empty"},
		{name: "csv column twice", data: "data: {csv: users.csv}", csv: "user,user\na,b\n", wantErr: "column 2 is empty or named twice"},
		{name: "both", data: "data: {csv: users.csv, rows: [{user: a}]}", csv: "user\na\n", wantErr: "has both rows and csv"},
		{name: "neither", data: "data: {}", wantErr: "data: has no values"},
	}
	for i, tt := range tests {
		sub := filepath.Join(dir, strings.Repeat("x", i+1))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if tt.csv != "" || strings.Contains(tt.name, "csv") {
			if err := os.WriteFile(filepath.Join(sub, "users.csv"), []byte(tt.csv), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		file := filepath.Join(sub, "scenario.yaml")
		if err := os.WriteFile(file, []byte(requestsBase+tt.data+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		sc, err := Load(file)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error = %v, want one containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(sc.Data.Columns, tt.wantCols) || !reflect.DeepEqual(sc.Data.Values, tt.wantRows) {
			t.Errorf("%s: table %v %v, want %v %v", tt.name, sc.Data.Columns, sc.Data.Values, tt.wantCols, tt.wantRows)
		}
		env := sc.TemplateEnv()
		if env.Data == nil || len(env.Data.Rows) != len(tt.wantRows) {
			t.Errorf("%s: TemplateEnv().Data = %+v", tt.name, env.Data)
		}
	}
}

func TestUpstreamMethodIsTheCallsDefault(t *testing.T) {
	t.Parallel()
	sc, err := Parse("t.yaml", []byte(strings.Replace(strings.Replace(requestsBase, "{{.Data.user}}", "1", 1),
		"a: {mock: {latency: 10ms}}", "a: {mock: {latency: 10ms}, method: post}", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if m := sc.Operation.Calls[0].Method; m != "POST" {
		t.Errorf("call method = %q, want the upstream's, POST", m)
	}
}

// TestDataFileBounds: a data file is refused by its size before it is
// read, and a line longer than MaxDataLine stops the reading at once.
func TestDataFileBounds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.csv")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxDataBytes + 10<<20); err != nil { // sparse: no room taken
		t.Fatal(err)
	}
	f.Close()
	long := filepath.Join(dir, "long.csv")
	if err := os.WriteFile(long, []byte("user\n"+strings.Repeat("x", MaxDataLine+1)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ file, want string }{
		{huge, huge + " is 266 MiB; the limit is 256 MiB (a data file holds at most 1000000 rows)"},
		{long, long + ", line 2: longer than 64 KiB; a line of a data file is at most that"},
	} {
		src := strings.Replace(requestsBase, "operation:", "data: {csv: "+tt.file+"}\noperation:", 1)
		_, err := Parse(filepath.Join(dir, "s.yaml"), []byte(src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("data: {csv: %s}: %v, want %q", tt.file, err, tt.want)
		}
	}
}
