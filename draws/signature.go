package draws

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Headers and defaults of asynchronous completions (webhooks and polls).
const (
	// HeaderCallback carries the URL a mock upstream in callback mode posts
	// its completion event to.
	HeaderCallback = "Fanbench-Callback"
	// HeaderSignature signs a completion event: "t=UNIX,v1=HEX", where HEX
	// is the HMAC-SHA256 of "UNIX.BODY" under the shared secret (the scheme
	// of Stripe's webhooks).
	HeaderSignature = "Fanbench-Signature"
	// HeaderOperation names the operation a 202 accepted, on the 202.
	HeaderOperation = "Fanbench-Operation"
	// DefaultWebhookSecret signs the events of in-process mocks when the
	// scenario names no secret of its own.
	DefaultWebhookSecret = "fanbench-webhook-secret"
	// DefaultSignatureTolerance is how far an event's timestamp may be
	// from the receiver's clock before it is refused as a replay.
	DefaultSignatureTolerance = 5 * time.Minute
)

// Signature errors, for errors.Is.
var (
	ErrSignatureMalformed = errors.New("signature header malformed")
	ErrSignatureMismatch  = errors.New("signature does not match")
	ErrSignatureStale     = errors.New("signature timestamp outside the tolerance")
)

// Sign returns the signature header value of body sent at unix time t:
// "t=T,v1=HEX".
func Sign(secret []byte, t int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	ts := strconv.FormatInt(t, 10)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Signature is a parsed signature header: its timestamp and every v1
// signature it holds (a sender rotating secrets sends several).
type Signature struct {
	T  int64
	V1 [][]byte
}

// maxSignatures bounds the v1 entries read from one header.
const maxSignatures = 8

// ParseSignature reads "t=UNIX,v1=HEX[,v1=HEX…]"; unknown keys (v0, say)
// are skipped, as Stripe's scheme asks. It needs one t and at least one
// well-formed v1.
func ParseSignature(h string) (Signature, error) {
	var s Signature
	seenT := false
	for part := range strings.SplitSeq(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Signature{}, ErrSignatureMalformed
		}
		switch k {
		case "t":
			t, err := strconv.ParseInt(v, 10, 64)
			if err != nil || seenT || t < 0 {
				return Signature{}, ErrSignatureMalformed
			}
			s.T, seenT = t, true
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return Signature{}, ErrSignatureMalformed
			}
			if len(s.V1) < maxSignatures {
				s.V1 = append(s.V1, b)
			}
		}
	}
	if !seenT || len(s.V1) == 0 {
		return Signature{}, ErrSignatureMalformed
	}
	return s, nil
}

// VerifySignature checks header against body under secret, and its
// timestamp against now within tolerance (0: DefaultSignatureTolerance).
// The error is one of the ErrSignature sentinels.
func VerifySignature(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	s, err := ParseSignature(header)
	if err != nil {
		return err
	}
	if tolerance <= 0 {
		tolerance = DefaultSignatureTolerance
	}
	if d := now.Sub(time.Unix(s.T, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureStale
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(s.T, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	want := mac.Sum(nil)
	for _, v := range s.V1 {
		if hmac.Equal(v, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
