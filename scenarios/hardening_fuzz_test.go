package scenarios

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRedactQuery: redacting the query of any URL or path never panics,
// leaves no value of a secret parameter behind, and does nothing more the
// second time.
func FuzzRedactQuery(f *testing.F) {
	for _, s := range []string{
		"https://api.example.com/v1?api_key=abcd&region=eu&sig=xy",
		"/users/{{.Seq}}?access_token=s3cr3t&page=2#frag",
		"/x?token=&key=a%26b&=v&&pass",
		"?sig=1?sig=2", "/a?X-Amz-Signature=f00d&X-Amz-Credential=AKIA%2F",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		red := redactQuery(text)
		if again := redactQuery(red); again != red {
			t.Fatalf("redactQuery is not idempotent on %q: %q then %q", text, red, again)
		}
		queryParams(red, func(name, value string, _, _ int) {
			if IsSecretQueryParam(name) && value != "" && value != Redacted {
				t.Fatalf("redactQuery(%q) = %q leaves %s=%q", text, red, name, value)
			}
		})
		if _, err := url.Parse(text); err == nil && !strings.Contains(text, "?") && red != text {
			t.Fatalf("redactQuery changed %q, which has no query, into %q", text, red)
		}
	})
}

// FuzzReadCSV: reading any data file ends with a table whose rows all have
// the header's columns, or an error that quotes no line of the file.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"user,plan\nalice,pro\nbob,free\n", "user\n", "", "a,a\n1,2\n", "user,plan\nalice\n",
		"root:x:0:0:root:/root:/bin/bash\n", "\"unterminated\n", "x\n" + strings.Repeat("y", MaxDataLine+1),
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		name := filepath.Join(dir, "data.csv")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var d Data
		err := readCSV(name, &d)
		if err == nil {
			for i, row := range d.Values {
				if len(row) != len(d.Columns) {
					t.Fatalf("row %d has %d fields, the header %d", i, len(row), len(d.Columns))
				}
			}
			return
		}
		msg := strings.ReplaceAll(err.Error(), name, "")
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); len(line) >= 12 && strings.Contains(msg, line) {
				t.Fatalf("the error quotes a line of the file: %q in %q", line, msg)
			}
		}
	})
}
