package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// The fingerprints are HMAC-SHA256 under the key: the values below are
// Python's hmac.new(b"ci-secret", msg, hashlib.sha256).hexdigest().
func TestFingerprintKey(t *testing.T) {
	t.Parallel()
	k, err := NewFingerprintKey([]byte("ci-secret"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ what, got, want string }{
		{"ID", k.ID(), "1bf9ee57"},
		{"Fingerprint(200ms)", k.Fingerprint("200ms"), "9ee779d67a6f3715"},
		{"Fingerprint(260ms)", k.Fingerprint("260ms"), "3ad2adce2cfe6122"},
		{"Mark(200ms)", k.Mark("200ms"), "[redacted:1bf9ee57:9ee779d67a6f3715]"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.what, tt.got, tt.want)
		}
	}
	// Not a plain hash: sha256("200ms") would give the value away to
	// anyone who hashes the likely latencies.
	plain := sha256.Sum256([]byte("200ms"))
	if k.Fingerprint("200ms") == hex.EncodeToString(plain[:])[:16] {
		t.Error("the fingerprint is the unkeyed hash of the value")
	}
	if _, err := NewFingerprintKey(nil); err == nil {
		t.Error("NewFingerprintKey(nil): no error")
	}
}

// The key comes from FANBENCH_FINGERPRINT_KEY when it is set, or else from
// the per-user file, created once (0600, 32 bytes) and then read.
func TestLoadFingerprintKey(t *testing.T) {
	t.Parallel()
	env := func(v string) func(string) (string, bool) {
		return func(name string) (string, bool) {
			if name == FingerprintKeyEnv && v != "" {
				return v, true
			}
			return "", false
		}
	}
	dir := t.TempDir()
	k, err := LoadFingerprintKey(env("ci-secret"), dir)
	if err != nil || k.ID() != "1bf9ee57" {
		t.Fatalf("with %s set: %v, %v; want its key (id 1bf9ee57)", FingerprintKeyEnv, k, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "fanbench")); !os.IsNotExist(err) {
		t.Errorf("with %s set, the per-user key was created too (%v)", FingerprintKeyEnv, err)
	}
	// Several processes at once on the first use: one key for all.
	var wg sync.WaitGroup
	ids := make([]string, 8)
	errs := make([]error, 8)
	for i := range ids {
		wg.Go(func() {
			k, err := LoadFingerprintKey(env(""), dir)
			errs[i] = err
			if err == nil {
				ids[i] = k.ID()
			}
		})
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Errorf("load %d: id %q, %v; want the one key %q", i, ids[i], errs[i], ids[0])
		}
	}
	path := filepath.Join(dir, "fanbench", "fingerprint-key")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 || info.Size() != 32 {
		t.Errorf("%s: mode %v, %d bytes; want 0600 and 32 random bytes", path, info.Mode().Perm(), info.Size())
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("%s holds %d files, want the key only (no temporary file left)", filepath.Dir(path), len(entries))
	}
	again, err := LoadFingerprintKey(nil, dir)
	if err != nil || again.ID() != ids[0] {
		t.Errorf("second load: %v, %v; want the same key %q", again, err, ids[0])
	}
	short := t.TempDir()
	if err := os.MkdirAll(filepath.Join(short, "fanbench"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(short, "fanbench", "fingerprint-key"), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFingerprintKey(nil, short); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("a key file of 5 bytes: %v, want an error saying to remove it", err)
	}
	if _, err := LoadFingerprintKey(nil, ""); err == nil {
		t.Error("no key and no folder: no error")
	}
}

const envLatencyScenario = `name: env-latency
upstreams:
  profile: {mock: {latency: {dist: fixed, value: "${LAT}"}}}
operation:
  calls: [{upstream: profile, path: /u}]
strategies: [fanout]
load: {rate: 10/s, duration: 1s}
`

var markPattern = regexp.MustCompile(`\[redacted:([0-9a-f]{8}):([0-9a-f]{16})\]`)

// A value from the environment is stored as its keyed fingerprint: two
// values tell apart under one key, equal ones match, and neither is in
// the stored scenario.
func TestRedactedJSONFingerprints(t *testing.T) {
	t.Parallel()
	stored := func(lat, key string) string {
		t.Helper()
		env := map[string]string{"LAT": lat}
		if key != "" {
			env[FingerprintKeyEnv] = key
		}
		s, err := Parse("env.yaml", []byte(envLatencyScenario), WithEnv(mapEnv(env)))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := s.RedactedJSON()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), lat) || strings.Contains(string(raw), key) || strings.Contains(string(raw), `"200ms"`) {
			t.Errorf("the stored scenario holds the value %q or the key:\n%s", lat, raw)
		}
		return markPattern.FindString(string(raw))
	}
	a, b, a2 := stored("200ms", "ci-secret"), stored("260ms", "ci-secret"), stored("200ms", "ci-secret")
	if a != "[redacted:1bf9ee57:9ee779d67a6f3715]" || b != "[redacted:1bf9ee57:3ad2adce2cfe6122]" || a2 != a {
		t.Errorf("marks %q, %q, %q; want 200ms and 260ms told apart under key 1bf9ee57, 200ms twice alike", a, b, a2)
	}
	// Written otherwise, a duration is stored as Go writes it, and that is
	// a secret too: 0.2s is 200ms in the stored scenario.
	if other := stored("0.2s", "ci-secret"); other != a {
		t.Errorf("0.2s from the environment: %q, want 200ms's mark %q", other, a)
	}
	other := stored("200ms", "another-secret")
	if m := markPattern.FindStringSubmatch(other); m == nil || m[1] == "1bf9ee57" {
		t.Errorf("under another key: %q, want another key id", other)
	}
	withOption, err := Parse("env.yaml", []byte(envLatencyScenario), WithEnv(mapEnv(map[string]string{"LAT": "200ms", FingerprintKeyEnv: "ignored"})),
		WithFingerprintKey(mustKey(t, "ci-secret")))
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := withOption.RedactedJSON(); !strings.Contains(string(raw), a) {
		t.Errorf("WithFingerprintKey: %s, want %s", raw, a)
	}
}

func mustKey(t *testing.T, secret string) *FingerprintKey {
	t.Helper()
	k, err := NewFingerprintKey([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Without FANBENCH_FINGERPRINT_KEY, the per-user key is used; without a
// folder to keep one in, the value is [redacted], as before fingerprints.
// Not parallel: it sets the variables os.UserConfigDir reads.
func TestRedactedJSONWithoutKey(t *testing.T) {
	parse := func() string {
		t.Helper()
		s, err := Parse("env.yaml", []byte(envLatencyScenario), WithEnv(mapEnv(map[string]string{"LAT": "200ms"})))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := s.RedactedJSON()
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", t.TempDir())
	got := parse()
	user, err := LoadFingerprintKey(nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"value":"` + user.Mark("200ms") + `"`; !strings.Contains(got, want) {
		t.Errorf("with the per-user key: %s, want %s", got, want)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "")
	if got := parse(); !strings.Contains(got, `"value":"[redacted]"`) {
		t.Errorf("with no key to be had: %s, want [redacted]", got)
	}
}
