package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/internal/machine"
)

// TestUsersBoundedByOpenFiles: users whose connections need more file
// descriptors than the process may open are refused before the run (which
// would otherwise flood "too many open files"), and the message says how
// many would do.
func TestUsersBoundedByOpenFiles(t *testing.T) {
	t.Parallel()
	files := machine.OpenFiles()
	if files == 0 || files > 1<<20 {
		t.Skipf("the open files here (%d) are unknown or too many to reach", files)
	}
	users := files/4 + 1 // two calls to a mock: four descriptors a user
	if machine.Fits(int64(users), 2*machine.GoroutineBytes, "users") != nil {
		t.Skipf("%d users do not fit in memory here", users)
	}
	src := fmt.Sprintf(`name: t
upstreams: {a: {mock: {latency: 1ms}}}
operation: {calls: [{upstream: a, path: /}, {upstream: a, path: /b}]}
strategies: [fanout]
load: {model: closed, users: %d, duration: 1s}
`, users)
	_, err := Parse("s.yaml", []byte(src))
	want := fmt.Sprintf("load.users: %d users making 2 calls each hold up to %d connections (two file descriptors each, as its upstream is a mock in this process), more than the %d files this process may open (ulimit -n); at most %d users here",
		users, 2*users, files, (files-reservedFiles)/4)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse with %d users: %v\nwant: %s", users, err, want)
	}
}
