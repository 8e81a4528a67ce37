package mockupstream

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/units"
)

// Async completion modes.
const (
	// AsyncCallback: the 202 is followed, once the work is done, by a
	// signed POST to the URL the request named in Fanbench-Callback.
	AsyncCallback = "callback"
	// AsyncPoll: the 202's Location answers 202 pending until the work is
	// done, then 200 done.
	AsyncPoll = "poll"
)

// AsyncModes lists the modes an Async accepts.
var AsyncModes = []string{AsyncCallback, AsyncPoll}

// Defaults of an Async's zero fields.
const (
	// DefaultMaxPending bounds the completions outstanding at once: the
	// callbacks waiting to be sent, and the operations a poll can ask
	// about. Past it a request is answered 503 (counted as async_overflow).
	DefaultMaxPending = 10_000
	// DefaultLateBy is how much later a late completion comes.
	DefaultLateBy = units.Duration(time.Second)
)

// PollPrefix is the path of the status URLs of poll mode:
// PollPrefix + operation id.
const PollPrefix = AdminPrefix + "operations/"

// Async makes a mock upstream answer its successful requests 202 Accepted
// with an operation id, at once (its latency and faults still apply to the
// 202), and finish the work later, after a draw from Completion: by a
// callback or through a status URL to poll. The zero value (nil in a
// Config) answers synchronously.
type Async struct {
	// Mode is "callback" or "poll".
	Mode string `yaml:"mode" json:"mode"`
	// Completion is the time from the 202 until the work is done, drawn
	// per request like the latency (paired by seq, attempt and call).
	Completion draws.Latency `yaml:"completion" json:"completion"`
	// Faults are what goes wrong with completions.
	Faults AsyncFaults `yaml:"faults" json:"faults,omitzero"`
	// Secret signs the callbacks (HMAC-SHA256, see draws.Sign);
	// draws.DefaultWebhookSecret when empty.
	Secret string `yaml:"secret" json:"secret,omitempty"`
	// Header is the header the signature goes in; draws.HeaderSignature
	// when empty (a receiver reading another, such as Stripe-Signature,
	// names it here).
	Header string `yaml:"header" json:"header,omitempty"`
	// MaxPending bounds the completions outstanding at once;
	// DefaultMaxPending when 0.
	MaxPending int `yaml:"max_pending" json:"max_pending,omitempty"`
}

// AsyncFaults are the probabilities of a completion's faults, per request;
// they are exclusive outcomes of one draw.
type AsyncFaults struct {
	// Lost: the work never completes (no callback is sent; the status
	// stays pending).
	Lost units.Fraction `yaml:"lost" json:"lost,omitempty"`
	// Duplicate: the callback is sent twice, the same event both times
	// (callback mode only).
	Duplicate units.Fraction `yaml:"duplicate" json:"duplicate,omitempty"`
	// Late: the completion comes LateBy after its drawn time.
	Late   units.Fraction `yaml:"late" json:"late,omitempty"`
	LateBy units.Duration `yaml:"late_by" json:"late_by,omitempty"`
}

// AsyncFault is what became of a completion's draw.
type AsyncFault uint8

// Completion faults.
const (
	AsyncOnTime AsyncFault = iota
	AsyncLost
	AsyncDuplicate
	AsyncLate
)

var asyncFaultNames = [...]string{"on_time", "lost", "duplicate", "late"}

// String names the fault.
func (f AsyncFault) String() string {
	if int(f) < len(asyncFaultNames) {
		return asyncFaultNames[f]
	}
	return fmt.Sprintf("async_fault(%d)", int(f))
}

func validateAsync(a *Async, add addFunc) {
	if a == nil {
		return
	}
	if !slices.Contains(AsyncModes, a.Mode) {
		if a.Mode == "" {
			add("async.mode", "is missing; allowed: callback, poll")
		} else {
			add("async.mode", "unknown mode %q; allowed: callback, poll", a.Mode)
		}
	}
	a.Completion.Check("async.completion", add)
	total, ok := 0.0, true
	for _, p := range []struct {
		name string
		v    units.Fraction
	}{{"lost", a.Faults.Lost}, {"duplicate", a.Faults.Duplicate}, {"late", a.Faults.Late}} {
		if !validProbability(p.v, "async.faults."+p.name, add) {
			ok = false
			continue
		}
		total += p.v.Float()
	}
	if ok && total > 1+1e-9 {
		add("async.faults", "the completion fault probabilities add up to %.4g%%, over 100%%", total*100)
	}
	if a.Mode == AsyncPoll && a.Faults.Duplicate.Float() > 0 {
		add("async.faults.duplicate", "applies to mode: callback only; a poll has no callback to send twice")
	}
	if a.Faults.LateBy < 0 {
		add("async.faults.late_by", "%v is negative; allowed: 0s or more, such as late_by: 2s", a.Faults.LateBy)
	}
	if a.Header != "" && !draws.ValidHeaderName(a.Header) {
		add("async.header", "%q is not a header name, such as header: Stripe-Signature", a.Header)
	}
	if a.MaxPending < 0 {
		add("async.max_pending", "is %d; allowed: 1 or more, or 0 for %d", a.MaxPending, DefaultMaxPending)
	}
}

// asyncPhase is an Async compiled for drawing and serving.
type asyncPhase struct {
	mode       string
	completion *draws.Sampler
	cum        [3]float64 // P(lost), P(lost or duplicate), P(lost, duplicate or late)
	lateBy     time.Duration
	secret     []byte
	header     string // canonical form
	maxPending int
}

func compileAsync(a *Async) *asyncPhase {
	if a == nil {
		return nil
	}
	p := &asyncPhase{mode: a.Mode, completion: draws.CompileValid(a.Completion), lateBy: a.Faults.LateBy.D(),
		secret: []byte(a.Secret), header: http.CanonicalHeaderKey(a.Header), maxPending: a.MaxPending}
	if p.header == "" {
		p.header = draws.HeaderSignature
	}
	if p.lateBy == 0 {
		p.lateBy = DefaultLateBy.D()
	}
	if len(p.secret) == 0 {
		p.secret = []byte(draws.DefaultWebhookSecret)
	}
	if p.maxPending == 0 {
		p.maxPending = DefaultMaxPending
	}
	p.cum[0] = a.Faults.Lost.Float()
	p.cum[1] = p.cum[0] + a.Faults.Duplicate.Float()
	p.cum[2] = p.cum[1] + a.Faults.Late.Float()
	return p
}

// Stream indices of the completion's draws, past those of the answer, so
// the answer's draws are the same with or without async.
const (
	streamCompletion = 3
	streamAsyncFault = 4
)

// draw fills in the completion of a request of key k.
func (p *asyncPhase) draw(k draws.Key, out *Draw) {
	out.Async = true
	out.Completion = p.completion.Sample(k.Uniform(streamCompletion))
	u := k.Uniform(streamAsyncFault)
	switch {
	case u < p.cum[0]:
		out.AsyncFault = AsyncLost
	case u < p.cum[1]:
		out.AsyncFault = AsyncDuplicate
	case u < p.cum[2]:
		out.AsyncFault = AsyncLate
		out.Completion += p.lateBy
	}
}

// checkCallbackURL tells why a Fanbench-Callback value cannot be posted to.
func checkCallbackURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("mode callback: the request names no %s URL to post the completion to", draws.HeaderCallback)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an http or https URL", draws.HeaderCallback, raw)
	}
	return nil
}
