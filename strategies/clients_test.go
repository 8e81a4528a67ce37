package strategies

import "testing"

// eachClient runs f once per HTTP client, in subtests named after the
// client, one after the other (callers defer closing what f uses).
func eachClient(t *testing.T, f func(t *testing.T, client Client)) {
	t.Helper()
	for _, client := range []Client{ClientFast, ClientStd} {
		t.Run(string(client), func(t *testing.T) {
			f(t, client)
		})
	}
}
