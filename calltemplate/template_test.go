package calltemplate

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

var users = &Data{Columns: []string{"user", "plan"}, Rows: [][]string{{"alice", "pro"}, {"bob", "free"}, {"carol", "pro"}}}

func TestExpand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		seq  uint64
		want string
	}{
		{"", 7, ""},
		{"/users", 7, "/users"},
		{"/users/{{.Seq}}", 7, "/users/7"},
		{"/users/{{ .Seq }}/x/{{.Seq}}", 12, "/users/12/x/12"},
		{"{{.Data.user}}:{{.Data.plan}}", 0, "alice:pro"},
		{"{{.Data.user}}:{{.Data.plan}}", 4, "bob:free"}, // rows wrap: 4 mod 3
		{`{"id": {{.Seq}}, "user": "{{.Data.user}}"}`, 2, `{"id": 2, "user": "carol"}`},
		{"{{/* a comment */}}/x", 1, "/x"},
	}
	for _, tt := range tests {
		tmpl, err := Parse(tt.text, Env{Seed: 1, Data: users})
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.text, err)
			continue
		}
		if got := tmpl.Expand(tt.seq); got != tt.want {
			t.Errorf("Parse(%q).Expand(%d) = %q, want %q", tt.text, tt.seq, got, tt.want)
		}
		if tmpl.String() != tt.text {
			t.Errorf("Parse(%q).String() = %q", tt.text, tmpl.String())
		}
	}
}

func TestUUIDAndNow(t *testing.T) {
	t.Parallel()
	tmpl, err := Parse("{{.UUID}}", Env{Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for seq := range uint64(1000) {
		u := tmpl.Expand(seq)
		if !v4.MatchString(u) {
			t.Fatalf("UUID of %d = %q, not a version 4 UUID", seq, u)
		}
		if seen[u] {
			t.Fatalf("UUID of %d = %q, seen before", seq, u)
		}
		seen[u] = true
	}
	again, _ := Parse("{{.UUID}}", Env{Seed: 42})
	other, _ := Parse("{{.UUID}}", Env{Seed: 43})
	if tmpl.Expand(5) != again.Expand(5) || tmpl.Expand(5) == other.Expand(5) {
		t.Error("a UUID is not a function of (seed, seq)")
	}

	now, err := Parse("{{.Now}}", Env{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := time.Parse(time.RFC3339Nano, now.Expand(1))
	if err != nil || time.Since(got) > time.Hour || time.Since(got) < -time.Hour {
		t.Errorf("{{.Now}} = %q (%v), want the time now in RFC 3339", now.Expand(1), err)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		data *Data
		want string
	}{
		{"/users/{{.Id}}", nil, "{{.Id}}: unknown field; the fields are {{.Seq}}"},
		{"/users/{{.Seq", nil, "unclosed action"},
		{"{{.Data.user}}", nil, "the scenario has no data"},
		{"{{.Data.name}}", users, `the data has no column "name"; its columns: user, plan`},
		{"{{.Data}}", users, "{{.Data}}: unknown field"},
		{`{{printf "%d" .Seq}}`, nil, "only the fields"},
		{"{{if .Seq}}x{{end}}", nil, "only the fields"},
		{"{{$x := .Seq}}", nil, "only the fields"},
		{"{{.Seq.Foo}}", nil, "unknown field"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.text, Env{Data: tt.data})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want one containing %q", tt.text, err, tt.want)
		}
	}
}

func TestAppendAllocatesNothing(t *testing.T) {
	tmpl, err := Parse(`{"id": {{.Seq}}, "key": "{{.UUID}}", "user": "{{.Data.user}}"}`, Env{Seed: 1, Data: users})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(1000, func() { buf = tmpl.Append(buf[:0], 12345) })
	if allocs != 0 {
		t.Errorf("Append allocates %v times, want 0", allocs)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/users/{{.Seq}}", "{{.Data.user}}", "{{.UUID}}-{{.Now}}", "{{", "}}{{.X}}", `{{"a"}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tmpl, err := Parse(text, Env{Seed: 1, Data: users})
		if err != nil {
			return
		}
		out := tmpl.Append(nil, 3)
		if !strings.Contains(text, "{{") && string(out) != text {
			t.Errorf("Parse(%q) expands to %q; text without actions must expand to itself", text, out)
		}
	})
}

func BenchmarkAppend(b *testing.B) {
	tmpl, _ := Parse(`/users/{{.Seq}}/orders/{{.UUID}}`, Env{Seed: 1})
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = tmpl.Append(buf[:0], uint64(i))
	}
}

// {{.Index}} is the call's index among the copies of a repeated call, fixed
// when the template is parsed: it costs nothing to expand.
func TestIndexField(t *testing.T) {
	t.Parallel()
	for _, i := range []int{0, 7, 99} {
		tm, err := Parse("/shard/{{.Index}}/{{.Seq}}", Env{Index: i})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tm.Expand(12), fmt.Sprintf("/shard/%d/12", i); got != want {
			t.Errorf("Index %d: Expand(12) = %q, want %q", i, got, want)
		}
	}
	if tm, _ := Parse("/shard/{{.Index}}", Env{Index: 3}); !tm.Static() {
		t.Error("a template of {{.Index}} alone is not static")
	}
}
