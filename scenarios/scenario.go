package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

// Scenario is one experiment: the upstreams, the operation that calls them,
// the strategies to compare, the policies their calls go through and the
// load to drive them with.
//
// The yaml tags are the file format (snake_case); the json tags are how the
// scenario appears, as run, inside a result file.
type Scenario struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description,omitempty"`
	// Seed feeds the paired draws of the mock upstreams: the same seed gives
	// every strategy, and every run, the same upstream behaviour.
	Seed      uint64    `yaml:"seed" json:"seed"`
	Upstreams Upstreams `yaml:"upstreams" json:"upstreams"`
	// Data is a table of values for the calls' templates ({{.Data.user}}):
	// operation n takes row n mod the number of rows, so every strategy
	// sends the same values.
	Data       *Data      `yaml:"data" json:"data,omitempty"`
	Operation  Operation  `yaml:"operation" json:"operation"`
	Strategies []Strategy `yaml:"strategies" json:"strategies"`
	// Policies are the call policies (timeout, retry, breaker, rate limit)
	// per upstream; nil when the file sets none.
	Policies *Policies `yaml:"policies" json:"policies,omitempty"`
	Load     LoadSpec  `yaml:"load" json:"load"`
	// Thresholds are assertions on the figures, by strategy (see
	// Thresholds); a failed one makes the run exit 1.
	Thresholds Thresholds `yaml:"thresholds" json:"thresholds,omitempty"`
	// Report names the files a run writes besides printing its table;
	// command-line flags override them.
	Report *Report `yaml:"report" json:"report,omitempty"`
	// Receiver is the webhook receiver of callback completions; nil takes
	// the defaults (loopback, a free port).
	Receiver *Receiver `yaml:"receiver" json:"receiver,omitempty"`

	// File is where the scenario was read from ("example:seed" for an
	// embedded example); empty for one built in code.
	File string `yaml:"-" json:"-"`

	// envSecrets are the values the file took from the environment (see
	// Secrets), kept out of every output.
	envSecrets []string
	// fingerprint is the key RedactedJSON fingerprints the secrets with:
	// WithFingerprintKey's, or FANBENCH_FINGERPRINT_KEY's when the file
	// has secrets; nil for the per-user key (see LoadFingerprintKey).
	fingerprint *FingerprintKey
}

// Upstreams are the scenario's upstreams in file order. In YAML they are a
// mapping from name to definition.
type Upstreams []Upstream

// Upstream is one API the operation calls: a mock started by fanbench, or a
// real service at a URL. Exactly one of Mock and URL is set.
type Upstream struct {
	Name string               `yaml:"-" json:"name"`
	Mock *mockupstream.Config `yaml:"mock" json:"mock,omitempty"`
	URL  string               `yaml:"url" json:"url,omitempty"`
	// Method is the method of calls to this upstream that set none.
	Method string `yaml:"method" json:"method,omitempty"`
	// Headers are sent with every call to this upstream (a call's own
	// headers win); values are templates, as a call's path.
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	// TLS configures https connections to a real upstream.
	TLS *TLS `yaml:"tls" json:"tls,omitempty"`
	// Client is the HTTP client of the calls to this upstream: "fast"
	// (fanbench's own HTTP/1.1 client, the default) or "std" (Go's
	// net/http, for HTTP/2 servers or anything the fast one does not do).
	// --breakdown sends every call through std.
	Client strategies.Client `yaml:"client" json:"client,omitempty"`
	// MaxConns caps the connections open to this upstream at once, as a
	// real client's pool or an API's limit does: a call over the cap
	// waits for a connection, and the wait counts in its latency (and
	// its timeout). Left out: no cap, a connection per call in flight.
	MaxConns int `yaml:"max_conns" json:"max_conns,omitempty"`
}

// TLS is how fanbench connects to an https upstream. Certificates are
// verified against the system's roots (and CAFile) unless
// InsecureSkipVerify is set.
type TLS struct {
	// InsecureSkipVerify accepts any certificate: for test servers with
	// self-signed ones, never for anything that matters.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify" json:"insecure_skip_verify,omitempty"`
	// CAFile is a PEM file of extra roots to trust (a private CA).
	CAFile string `yaml:"ca_file" json:"ca_file,omitempty"`
	// ServerName overrides the name the certificate must carry.
	ServerName string `yaml:"server_name" json:"server_name,omitempty"`
	// CertFile and KeyFile are a client certificate (mutual TLS).
	CertFile string `yaml:"cert_file" json:"cert_file,omitempty"`
	KeyFile  string `yaml:"key_file" json:"key_file,omitempty"`
}

// Data is the values the calls' templates draw from, as Rows written in
// the file or as a CSV file whose first line names the columns. Exactly
// one of Rows and CSV is set.
type Data struct {
	Rows []map[string]string `yaml:"rows" json:"rows,omitempty"`
	// CSV is the path of a CSV file, relative to the scenario file.
	CSV string `yaml:"csv" json:"csv,omitempty"`

	// Columns and Values are the table, read from Rows or CSV when the
	// scenario is loaded: Values[i][j] is row i's value of Columns[j].
	Columns []string   `yaml:"-" json:"-"`
	Values  [][]string `yaml:"-" json:"-"`

	// path is the CSV file as read: relative to the working directory.
	path string
}

// Report names the outputs of a run; each is written atomically, and an
// empty path writes nothing.
type Report struct {
	// HTML is the self-contained HTML report.
	HTML string `yaml:"html" json:"html,omitempty"`
	// JSON is the result file (fanbench/result/v1).
	JSON string `yaml:"json" json:"json,omitempty"`
	// Markdown is the summary fit for a pull-request comment.
	Markdown string `yaml:"markdown" json:"markdown,omitempty"`
	// CSV is one row per strategy and one per upstream.
	CSV string `yaml:"csv" json:"csv,omitempty"`
	// HLog is a folder to write the HdrHistogram interval log in
	// (SCENARIO.hlog): a histogram a second per strategy and metric.
	HLog string `yaml:"hlog" json:"hlog,omitempty"`
	// OTLP is where to export OpenTelemetry metrics to, every second of
	// the run: an OTLP/HTTP base URL such as http://localhost:4318, or
	// "env" for the OTEL_EXPORTER_OTLP_* variables' endpoint.
	OTLP string `yaml:"otlp" json:"otlp,omitempty"`
}

// Find returns the upstream of that name.
func (us Upstreams) Find(name string) (Upstream, bool) {
	for _, u := range us {
		if u.Name == name {
			return u, true
		}
	}
	return Upstream{}, false
}

// Operation is one logical unit of work: the calls it makes.
type Operation struct {
	Calls []Call `yaml:"calls" json:"calls"`
}

// Call is one request to one upstream inside an operation.
type Call struct {
	// Upstream names an entry of Scenario.Upstreams.
	Upstream string `yaml:"upstream" json:"upstream"`
	// Method is the HTTP method; GET when empty.
	Method string `yaml:"method" json:"method"`
	// Path is the request path; "{{.Seq}}" in it is replaced by the
	// operation's sequence number. "/" when empty.
	Path string `yaml:"path" json:"path"`
	// Headers are sent with the call, over its upstream's; values are
	// templates, as the path.
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	// Body is the request body, a template, as the path; none when empty.
	Body string `yaml:"body" json:"body,omitempty"`
	// Critical marks a call whose failure fails the whole operation; the
	// failure of a non-critical call makes the operation partial.
	Critical bool `yaml:"critical" json:"critical"`
	// Repeat makes the operation send this call that many times (default
	// 1): a wide fan-out to one upstream's shards in one line. {{.Index}}
	// in its templates is the copy's index, from 0, and each copy has
	// paired draws of its own.
	Repeat int `yaml:"repeat" json:"repeat,omitempty"`
	// Compensate is the call that undoes this one (a refund after a
	// payment): sent when the operation fails after this call succeeded.
	Compensate *Compensation `yaml:"compensate" json:"compensate,omitempty"`
	// Completion makes the call asynchronous: a 202 is followed by a wait
	// for its callback or a poll of its status, until done or Deadline.
	Completion *strategies.Completion `yaml:"completion" json:"completion,omitempty"`
}

// Compensation is a call that undoes another.
type Compensation struct {
	Upstream string `yaml:"upstream" json:"upstream"`
	// Method is the HTTP method; POST when empty.
	Method string `yaml:"method" json:"method"`
	// Path is the request path, "{{.Seq}}" expanded; "/" when empty.
	Path string `yaml:"path" json:"path"`
	// Headers and Body as a call's.
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	Body    string            `yaml:"body" json:"body,omitempty"`
}

// MaxRepeats bounds load.repeats: past a few dozen, a comparison gains
// nothing but time.
const MaxRepeats = 100

// Load models.
const (
	ModelOpen   = "open"
	ModelClosed = "closed"
)

// Arrivals of the open model, and what an operation does at the in-flight
// cap.
const (
	ArrivalsUniform = "uniform"
	ArrivalsPoisson = "poisson"
	OnCapWait       = "wait"
	OnCapDrop       = "drop"
)

// LoadSpec is how operations arrive. (It is not called Load, the name of
// the function that reads a scenario file.)
//
// The open model (the default) starts operations on a schedule, whatever
// the responses: at Rate, or along Stages; latency counts from each
// operation's intended start. The closed model runs Users virtual users,
// each starting its next operation when the last one ends (after Think);
// latency counts from the actual start, as there is no schedule.
type LoadSpec struct {
	// Model is "open" or "closed".
	Model string `yaml:"model" json:"model"`
	// Rate (open) is the arrival rate of operations, e.g. 20/s; with
	// Stages, the rate the first stage starts from (default 0).
	Rate units.Rate `yaml:"rate" json:"rate,omitempty"`
	// Stages ramp the rate (open) or the users (closed) linearly from one
	// target to the next; their durations add up to the run's length.
	Stages []LoadStage `yaml:"stages" json:"stages,omitempty"`
	// Arrivals (open) is "uniform" (evenly spaced, the default) or
	// "poisson" (exponential gaps, seeded by the scenario's seed).
	Arrivals string `yaml:"arrivals" json:"arrivals,omitempty"`
	// Users (closed) is the number of virtual users; with Stages, the
	// number the first stage starts from (default 0).
	Users int `yaml:"users" json:"users,omitempty"`
	// Think (closed) is each user's pause between two operations: a
	// duration or a distribution, as an upstream's latency; none when nil.
	Think *draws.Latency `yaml:"think" json:"think,omitempty"`
	// Duration is how long operations keep arriving (without Stages).
	Duration units.Duration `yaml:"duration" json:"duration,omitempty"`
	// Operations ends the load once that many operations past the warm-up
	// have started, if the duration has not ended it first. 0: no limit.
	Operations uint64 `yaml:"operations" json:"operations,omitempty"`
	// Warmup is the first part of the run: its operations run but are left
	// out of every statistic.
	Warmup units.Duration `yaml:"warmup" json:"warmup,omitempty"`
	// MaxInFlight (open) caps the operations in flight at once. 0 means the
	// default, DefaultMaxInFlight.
	MaxInFlight int `yaml:"max_in_flight" json:"max_in_flight"`
	// OnCap (open) is what an operation due at the cap does: "wait" for a
	// slot, its latency still counted from its intended start (the
	// default), or "drop": it is not run, and is counted as dropped.
	OnCap string `yaml:"on_cap" json:"on_cap,omitempty"`
	// Repeats runs the whole load this many times (0 or 1: once), each
	// strategy once per round, rounds one after another, every one with the
	// same seed. The result holds the figures of all rounds together and
	// each round's headline figures, so a baseline comparison can tell noise
	// from change.
	Repeats int `yaml:"repeats" json:"repeats,omitempty"`
	// Sweep (open) runs each strategy at rising rates instead of one load,
	// to find the highest rate it sustains within an SLO; see Sweep.
	Sweep *Sweep `yaml:"sweep" json:"sweep,omitempty"`
	// Widths (open) runs each strategy at each fan-out width in turn, at
	// the load's rate for its duration each, on fresh upstreams: the
	// operation's repeated call (the one with repeat:) is made that many
	// times, so the report shows the latency against the width.
	Widths []int `yaml:"widths" json:"widths,omitempty"`
}

// LoadStage is one stage of a ramp: over Duration, the rate (open) or the
// number of users (closed) moves linearly to Target.
type LoadStage struct {
	Duration units.Duration `yaml:"duration" json:"duration"`
	Target   StageTarget    `yaml:"target" json:"target"`
}

// StageTarget is a stage's target: a rate such as 500/s (open), or a
// number of users such as 50 (closed). A bare number is either; Rate says
// whether it was written with a unit.
type StageTarget struct {
	Value float64
	Rate  bool
}

// UnmarshalText reads "500/s" (a rate) or "50" (a bare number).
func (t *StageTarget) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.Contains(s, "/") {
		var r units.Rate
		if err := r.UnmarshalText(b); err != nil {
			return err
		}
		*t = StageTarget{Value: r.PerSecond(), Rate: true}
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return fmt.Errorf("%q is not a target; write a rate such as 500/s (open model) or a number of users such as 50 (closed model)", s)
	}
	*t = StageTarget{Value: v}
	return nil
}

// MarshalText writes the form UnmarshalText reads.
func (t StageTarget) MarshalText() ([]byte, error) {
	if t.Rate {
		return units.Rate(t.Value).MarshalText()
	}
	return []byte(strconv.FormatFloat(t.Value, 'f', -1, 64)), nil
}

// Length is how long the load runs by its schedule: the sum of the stages,
// or Duration; 0 when only Operations ends it.
func (l *LoadSpec) Length() time.Duration {
	if len(l.Stages) == 0 {
		return l.Duration.D()
	}
	var d time.Duration
	for _, s := range l.Stages {
		d += s.Duration.D()
	}
	return d
}

// String describes the load in a few words, for progress lines.
func (l *LoadSpec) String() string {
	var b strings.Builder
	switch {
	case l.Sweep != nil:
		b.WriteString(l.Sweep.String())
	case len(l.Widths) > 0:
		fmt.Fprintf(&b, "%s at widths %v", l.Rate, l.Widths)
	case l.Model == ModelClosed && len(l.Stages) > 0:
		fmt.Fprintf(&b, "closed, %d users ramping in %d stages", l.Users, len(l.Stages))
	case l.Model == ModelClosed:
		fmt.Fprintf(&b, "closed, %d users", l.Users)
	case len(l.Stages) > 0:
		fmt.Fprintf(&b, "%s ramping in %d stages", l.Rate, len(l.Stages))
	default:
		b.WriteString(l.Rate.String())
	}
	if l.Arrivals == ArrivalsPoisson {
		b.WriteString(" (poisson)")
	}
	if d := l.Length(); d > 0 {
		fmt.Fprintf(&b, " for %v", d)
	}
	if l.Operations > 0 {
		fmt.Fprintf(&b, ", up to %d operations", l.Operations)
	}
	if l.Warmup > 0 {
		fmt.Fprintf(&b, ", %v warm-up", l.Warmup)
	}
	if l.Model != ModelClosed {
		fmt.Fprintf(&b, ", up to %d in flight", l.MaxInFlight)
		if l.OnCap == OnCapDrop {
			b.WriteString(" (drop over)")
		}
	}
	return b.String()
}

// DefaultMaxInFlight is the in-flight cap when a scenario sets none.
const DefaultMaxInFlight = 1000
