package runner

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/scenarios"
)

// The scenario stored in a result keeps no secret: not the token an
// Authorization header took from the environment, not a URL's password,
// not a path segment from the environment (stored as its fingerprint).
func TestRedactedHidesURLPasswords(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	env := map[string]string{"TOKEN": "s3cr3t-t0ken", "TENANT": "acme-tenant-42", scenarios.FingerprintKeyEnv: "ci-secret"}
	src := `name: secrets
upstreams:
  real:
    url: http://user:hunter2@` + srv.Listener.Addr().String() + `
    headers: {Authorization: "Bearer ${TOKEN}", Accept: application/json}
operation:
  calls: [{upstream: real, path: "/t/${TENANT}/ping"}]
strategies: [fanout]
load: {rate: 50/s, duration: 1s, operations: 2}
`
	sc, err := scenarios.Parse("secrets.yaml", []byte(src), scenarios.WithEnv(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), sc, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	got := string(res.Scenario)
	key, err := scenarios.NewFingerprintKey([]byte("ci-secret"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "s3cr3t-t0ken", "acme-tenant-42", "ci-secret"} {
		if strings.Contains(got, secret) {
			t.Errorf("result scenario holds the secret %q:\n%s", secret, got)
		}
	}
	for _, want := range []string{`"url":"http://user:xxxxx@`, `"Authorization":"[redacted]"`, `"Accept":"application/json"`, `"path":"/t/` + key.Mark("acme-tenant-42") + `/ping"`} {
		if !strings.Contains(got, want) {
			t.Errorf("result scenario lacks %s:\n%s", want, got)
		}
	}
	if !strings.Contains(sc.Upstreams[0].URL, "hunter2") {
		t.Error("Run changed the scenario it was given")
	}
}
