package scenarios

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// This file fingerprints the secrets of a stored scenario, so that two
// runs whose scenarios differ only in a value from the environment can be
// told apart without the value being written anywhere.
//
// A fingerprint is keyed (an HMAC), not a plain or salted hash: values
// from the environment are often short and guessable — a latency such as
// 200ms, a tenant, a port — and anyone holding a result file could hash
// every candidate and find the one that matches. Without the key, a
// fingerprint says nothing of its value.

// FingerprintKeyEnv names the environment variable that holds the
// fingerprint key. Set it to the same secret wherever results that are to
// be compared are made (CI and the machine that makes the baselines).
const FingerprintKeyEnv = "FANBENCH_FINGERPRINT_KEY"

// fingerprintKeyFile is where the per-user key is kept, under
// os.UserConfigDir.
const fingerprintKeyFile = "fanbench/fingerprint-key"

// keyIDMessage is what the key's identifier is the HMAC of.
const keyIDMessage = "fanbench key id"

// FingerprintKey fingerprints secrets: a secret becomes
// "[redacted:KEYID:FP]", where KEYID identifies the key (the first 8 hex
// digits of its HMAC of "fanbench key id") and FP is the first 16 hex
// digits of the HMAC-SHA256 of the secret under the key. Equal secrets
// have equal fingerprints under one key; neither part reveals the key or
// the secret. Safe for concurrent use.
type FingerprintKey struct {
	key []byte
	id  string
}

// NewFingerprintKey returns the key made of secret, which must not be
// empty.
func NewFingerprintKey(secret []byte) (*FingerprintKey, error) {
	if len(secret) == 0 {
		return nil, errors.New("the fingerprint key is empty")
	}
	k := &FingerprintKey{key: append([]byte(nil), secret...)}
	k.id = k.sum(keyIDMessage)[:8]
	return k, nil
}

// ID identifies the key: the first 8 hex digits of its HMAC of
// "fanbench key id".
func (k *FingerprintKey) ID() string { return k.id }

// Fingerprint is the first 16 hex digits of the HMAC-SHA256 of value
// under the key.
func (k *FingerprintKey) Fingerprint(value string) string { return k.sum(value)[:16] }

// Mark is what value is stored as: "[redacted:KEYID:FP]".
func (k *FingerprintKey) Mark(value string) string {
	return "[redacted:" + k.id + ":" + k.Fingerprint(value) + "]"
}

func (k *FingerprintKey) sum(msg string) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// LoadFingerprintKey returns the fingerprint key: the value of
// FANBENCH_FINGERPRINT_KEY when lookup finds it set and not empty, or else
// the per-user key in configDir/fanbench/fingerprint-key (configDir is
// os.UserConfigDir()), which is created with 32 random bytes, readable by
// its owner only, on first use.
func LoadFingerprintKey(lookup func(string) (string, bool), configDir string) (*FingerprintKey, error) {
	if lookup != nil {
		if v, ok := lookup(FingerprintKeyEnv); ok && v != "" {
			return NewFingerprintKey([]byte(v))
		}
	}
	if configDir == "" {
		return nil, fmt.Errorf("no %s and no configuration folder for a per-user key", FingerprintKeyEnv)
	}
	return userFingerprintKey(filepath.Join(configDir, filepath.FromSlash(fingerprintKeyFile)))
}

// fingerprintKeyLen is the size of a per-user key.
const fingerprintKeyLen = 32

// userFingerprintKey reads the key at path, creating it first when it is
// missing. It is written to a temporary file, then linked into place, so
// that of two processes creating it at once one wins and both read the
// winner's key, never half a file.
func userFingerprintKey(path string) (*FingerprintKey, error) {
	if data, err := os.ReadFile(path); err == nil {
		return keyFromFile(path, data)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the fingerprint key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the fingerprint key: %w", err)
	}
	secret := make([]byte, fingerprintKeyLen)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("creating the fingerprint key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".fingerprint-key-*")
	if err != nil {
		return nil, fmt.Errorf("creating the fingerprint key: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600.
	_, werr := tmp.Write(secret)
	if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
		return nil, fmt.Errorf("creating the fingerprint key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("creating the fingerprint key: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the fingerprint key: %w", err)
	}
	return keyFromFile(path, data)
}

func keyFromFile(path string, data []byte) (*FingerprintKey, error) {
	if len(data) < fingerprintKeyLen {
		return nil, fmt.Errorf("the fingerprint key %s holds %d bytes, want %d: remove it to make a new one", path, len(data), fingerprintKeyLen)
	}
	return NewFingerprintKey(data)
}

// WithFingerprintKey sets the key that RedactedJSON fingerprints secrets
// with, instead of the one LoadFingerprintKey finds.
func WithFingerprintKey(k *FingerprintKey) ParseOption {
	return func(o *parseOptions) { o.key = k }
}

// fingerprintKey is the key RedactedJSON uses: the one given or found at
// Parse, or else the per-user key; nil, and plain [redacted], when there
// is none to be had (no configuration folder, a read-only one).
func (s *Scenario) fingerprintKey() *FingerprintKey {
	if s.fingerprint != nil {
		return s.fingerprint
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil
	}
	k, err := LoadFingerprintKey(nil, dir)
	if err != nil {
		return nil
	}
	return k
}
