package strategies

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/suggest"
	"github.com/fanbench/fanbench/units"
)

// BrokerKind names a broker implementation.
type BrokerKind string

// The broker kinds. The in-process broker is this package's; the others
// are implemented in packages of their own, which register a factory (see
// RegisterBroker), so that this package imports no broker's client.
const (
	// BrokerInProc is the in-process broker (InProcBroker), the default.
	BrokerInProc BrokerKind = "inproc"
	// BrokerJetStream is a NATS JetStream work-queue stream: a server
	// embedded in the process, or an external one named by url.
	BrokerJetStream BrokerKind = "jetstream"
)

// BrokerKinds lists the kinds a scenario may name, the default first.
var BrokerKinds = []string{string(BrokerInProc), string(BrokerJetStream)}

// BrokerStorage is where a JetStream stream keeps its messages.
type BrokerStorage string

// The storages.
const (
	StorageFile   BrokerStorage = "file"
	StorageMemory BrokerStorage = "memory"
)

// BrokerStorages lists the storages, the default first.
var BrokerStorages = []string{string(StorageFile), string(StorageMemory)}

// PublishMode is how a JetStream broker's client publishes: every publish
// waits for its own acknowledgement either way, since that is the
// operation's ack; the mode is how the client pipelines them.
type PublishMode string

// The publish modes.
const (
	// PublishSync publishes as a request and waits for the PubAck reply.
	PublishSync PublishMode = "sync"
	// PublishAsync publishes without a request, and waits on the PubAck's
	// future; at most max_pending publishes await their ack at once.
	PublishAsync PublishMode = "async"
)

// PublishModes lists the modes, the default first.
var PublishModes = []string{string(PublishSync), string(PublishAsync)}

// Defaults of a JetStream broker: JetStream's own where it has one.
const (
	DefaultAckWait       = 30 * time.Second
	DefaultMaxAckPending = 1000
	DefaultMaxPending    = 4000
)

// BrokerSpec says which broker holds a queued strategy's messages, as a
// scenario writes it under the strategy: absent (or kind: inproc) for the
// in-process broker; kind: jetstream for NATS JetStream, embedded in the
// process unless url names a server. Its zero value is the in-process
// broker.
type BrokerSpec struct {
	// Kind is inproc (the default: the in-process broker) or jetstream.
	Kind BrokerKind `yaml:"kind" json:"kind,omitempty"`
	// URL names an external NATS server or cluster (nats://host:4222,
	// several separated by commas); empty starts one embedded in the
	// process. Credentials may be written in it (nats://user:pass@host)
	// from the environment (${NATS_PASSWORD}); they never appear in
	// outputs.
	URL string `yaml:"url" json:"url,omitempty"`
	// Token authenticates to an external server with a token.
	Token string `yaml:"token" json:"token,omitempty"`
	// Creds is the path of a NATS credentials file (JWT and seed).
	Creds string `yaml:"creds" json:"creds,omitempty"`
	// Listen makes the embedded server listen on this loopback address
	// (127.0.0.1:4222, or 127.0.0.1:0 for any free port) so that other
	// tools can watch it; by default it listens on no port at all.
	Listen string `yaml:"listen" json:"listen,omitempty"`
	// Storage is file (the default: messages survive a restart of the
	// server) or memory.
	Storage BrokerStorage `yaml:"storage" json:"storage,omitempty"`
	// SyncAlways makes the file store flush every write to disk (fsync)
	// before the PubAck; by default it flushes about every 2 minutes.
	SyncAlways bool `yaml:"sync_always" json:"sync_always,omitempty"`
	// Replicas is how many servers of a cluster hold the stream; default 1.
	Replicas int `yaml:"replicas" json:"replicas,omitempty"`
	// AckWait is how long a consumer may hold a message without
	// acknowledging it before the server delivers it again; default 30s.
	AckWait units.Duration `yaml:"ack_wait" json:"ack_wait,omitempty"`
	// MaxDeliver is how many times a message is delivered before it is
	// dead-lettered (counted, and its call failed as dead_letter); 0 for
	// no limit (the default).
	MaxDeliver int `yaml:"max_deliver" json:"max_deliver,omitempty"`
	// MaxAckPending bounds the messages delivered and not yet
	// acknowledged, across all consumers; default 1000.
	MaxAckPending int `yaml:"max_ack_pending" json:"max_ack_pending,omitempty"`
	// Publish is sync (the default) or async.
	Publish PublishMode `yaml:"publish" json:"publish,omitempty"`
	// MaxPending bounds the async publishes awaiting their ack; default 4000.
	MaxPending int `yaml:"max_pending" json:"max_pending,omitempty"`
	// Stream and Consumer name the stream and its durable consumer;
	// default names are made from the scenario, the strategy's label and
	// the run, so runs never share one.
	Stream   string `yaml:"stream" json:"stream,omitempty"`
	Consumer string `yaml:"consumer" json:"consumer,omitempty"`
	// Keep leaves the stream and its consumer on an external server after
	// the run (and an embedded server's store directory on disk); by
	// default they are deleted.
	Keep bool `yaml:"keep" json:"keep,omitempty"`
}

// IsZero reports whether s is the default: the in-process broker.
func (s BrokerSpec) IsZero() bool { return s == BrokerSpec{} }

// Real reports whether s names a broker other than the in-process one.
func (s BrokerSpec) Real() bool { return s.Kind != "" && s.Kind != BrokerInProc }

// Embedded reports whether s starts a server in the process.
func (s BrokerSpec) Embedded() bool { return s.Real() && s.URL == "" }

// WithDefaults returns s with every default filled in (for a real broker).
func (s BrokerSpec) WithDefaults() BrokerSpec {
	if !s.Real() {
		return s
	}
	if s.Storage == "" {
		s.Storage = StorageFile
	}
	if s.Replicas == 0 {
		s.Replicas = 1
	}
	if s.AckWait == 0 {
		s.AckWait = units.Duration(DefaultAckWait)
	}
	if s.MaxAckPending == 0 {
		s.MaxAckPending = DefaultMaxAckPending
	}
	if s.Publish == "" {
		s.Publish = PublishSync
	}
	if s.MaxPending == 0 {
		s.MaxPending = DefaultMaxPending
	}
	return s
}

// Validate reports every problem of s, each a *draws.FieldError whose
// Field is under prefix ("broker.storage").
func (s BrokerSpec) Validate(prefix string) error {
	var ps draws.Problems
	at := func(key string) string { return prefix + "." + key }
	switch s.Kind {
	case "", BrokerInProc:
		// The in-process broker takes none of the keys below: saying so
		// beats ignoring them.
		for key, set := range map[string]bool{"url": s.URL != "", "token": s.Token != "", "creds": s.Creds != "",
			"listen": s.Listen != "", "storage": s.Storage != "", "sync_always": s.SyncAlways, "replicas": s.Replicas != 0,
			"ack_wait": s.AckWait != 0, "max_deliver": s.MaxDeliver != 0, "max_ack_pending": s.MaxAckPending != 0,
			"publish": s.Publish != "", "max_pending": s.MaxPending != 0, "stream": s.Stream != "",
			"consumer": s.Consumer != "", "keep": s.Keep} {
			if set {
				ps.Add(at(key), "applies to kind: jetstream only, not to the in-process broker (add kind: jetstream)")
			}
		}
		return sortedProblems(ps)
	case BrokerJetStream:
	default:
		ps.Add(at("kind"), "unknown broker %q%s", string(s.Kind), suggest.Choices(string(s.Kind), "allowed", BrokerKinds))
		return ps.Err()
	}
	if s.URL != "" {
		if msg := checkNATSURLs(s.URL); msg != "" {
			ps.Add(at("url"), "%s", msg)
		}
		if s.Listen != "" {
			ps.Add(at("listen"), "applies to the embedded server only; with url the server is external")
		}
		if s.SyncAlways {
			ps.Add(at("sync_always"), "applies to the embedded server only; an external server's sync policy is its own (its jetstream.sync_interval)")
		}
	} else {
		if s.Token != "" || s.Creds != "" {
			key := "token"
			if s.Token == "" {
				key = "creds"
			}
			ps.Add(at(key), "applies to an external server (url) only; the embedded server needs no credentials")
		}
		if s.Replicas > 1 {
			ps.Add(at("replicas"), "the embedded server is a single node: replicas: %d needs an external cluster (url)", s.Replicas)
		}
		if s.Listen != "" {
			if msg := checkLoopback(s.Listen); msg != "" {
				ps.Add(at("listen"), "%s", msg)
			}
		}
	}
	switch s.Storage {
	case "", StorageFile:
	case StorageMemory:
		if s.SyncAlways {
			ps.Add(at("sync_always"), "applies to storage: file only")
		}
	default:
		ps.Add(at("storage"), "unknown storage %q%s", string(s.Storage), suggest.Choices(string(s.Storage), "allowed", BrokerStorages))
	}
	if s.Replicas < 0 || s.Replicas > 5 {
		ps.Add(at("replicas"), "must be from 1 to 5, such as replicas: 3, got %d", s.Replicas)
	}
	if s.AckWait < 0 || s.AckWait > 0 && s.AckWait.D() < time.Millisecond {
		ps.Add(at("ack_wait"), "must be 1ms or more, such as ack_wait: 30s, got %v", s.AckWait)
	}
	if s.MaxDeliver < 0 || s.MaxDeliver == 1 {
		ps.Add(at("max_deliver"), "must be 2 or more (a message a consumer dies holding must be deliverable again), or 0 for no limit; got %d", s.MaxDeliver)
	}
	if s.MaxAckPending < 0 {
		ps.Add(at("max_ack_pending"), "must be 1 or more, such as max_ack_pending: %d", DefaultMaxAckPending)
	}
	switch s.Publish {
	case "", PublishSync, PublishAsync:
	default:
		ps.Add(at("publish"), "unknown publish mode %q%s", string(s.Publish), suggest.Choices(string(s.Publish), "allowed", PublishModes))
	}
	if s.MaxPending < 0 {
		ps.Add(at("max_pending"), "must be 1 or more, such as max_pending: %d", DefaultMaxPending)
	} else if s.MaxPending > 0 && s.Publish != PublishAsync {
		ps.Add(at("max_pending"), "applies to publish: async only")
	}
	for key, name := range map[string]string{"stream": s.Stream, "consumer": s.Consumer} {
		if msg := checkNATSName(name); msg != "" {
			ps.Add(at(key), "%s", msg)
		}
	}
	return sortedProblems(ps)
}

// sortedProblems orders problems by field, so that those found in a map's
// order come out the same every time.
func sortedProblems(ps draws.Problems) error {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].(*draws.FieldError).Field < ps[j-1].(*draws.FieldError).Field; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	return ps.Err()
}

// checkNATSURLs returns the problem of a server list, or "". The message
// never quotes the URL: it may hold a password.
func checkNATSURLs(list string) string {
	for raw := range strings.SplitSeq(list, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return "must be a NATS URL such as nats://127.0.0.1:4222 (several separated by commas)"
		}
		switch u.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return fmt.Sprintf("scheme %q: allowed nats, tls, ws or wss, such as nats://127.0.0.1:4222", u.Scheme)
		}
	}
	return ""
}

// checkLoopback returns the problem of an embedded server's listen
// address, or "": only loopback, as the embedded server has no
// authentication.
func checkLoopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Sprintf("%q: must be host:port, such as 127.0.0.1:4222 (port 0 for any free one)", addr)
	}
	if host == "localhost" {
		return ""
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Sprintf("%q: the embedded server has no authentication, so it listens on loopback only (127.0.0.1 or [::1])", addr)
	}
	return ""
}

// checkNATSName returns the problem of a stream or consumer name, or "".
func checkNATSName(name string) string {
	if name == "" {
		return ""
	}
	if len(name) > 200 {
		return fmt.Sprintf("%d characters: at most 200", len(name))
	}
	if i := strings.IndexAny(name, " \t\r\n.*>/\\"); i >= 0 {
		return fmt.Sprintf("%q: a NATS name may not hold spaces, '.', '*', '>', '/' or '\\'", name)
	}
	return ""
}

// String describes s in one line for a result's options, without its
// credentials: "jetstream file sync, embedded".
func (s BrokerSpec) String() string {
	if !s.Real() {
		return string(BrokerInProc)
	}
	s = s.WithDefaults()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", s.Kind, s.Storage, s.Publish)
	if s.URL == "" {
		b.WriteString(", embedded")
	} else {
		b.WriteString(", " + RedactURLs(s.URL))
	}
	if s.SyncAlways {
		b.WriteString(", sync_always")
	}
	if s.Replicas > 1 {
		fmt.Fprintf(&b, ", replicas %d", s.Replicas)
	}
	fmt.Fprintf(&b, ", ack_wait %v", s.AckWait)
	if s.MaxDeliver > 0 {
		fmt.Fprintf(&b, ", max_deliver %d", s.MaxDeliver)
	}
	return b.String()
}

// Secrets are the credentials s holds: a URL's passwords and a token.
func (s BrokerSpec) Secrets() []string {
	var out []string
	if s.Token != "" {
		out = append(out, s.Token)
	}
	for raw := range strings.SplitSeq(s.URL, ",") {
		if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok {
				out = append(out, p)
			} else if name := u.User.Username(); name != "" {
				out = append(out, name) // nats://TOKEN@host: the user part is a token
			}
		}
	}
	return out
}

// Redacted returns s with its credentials masked, fit for a result file.
func (s BrokerSpec) Redacted() BrokerSpec {
	if s.URL != "" {
		s.URL = RedactURLs(s.URL)
	}
	if s.Token != "" {
		s.Token = "[redacted]"
	}
	return s
}

// RedactURLs masks the passwords (and tokens written as the user) of a
// comma-separated list of URLs; a URL that does not parse is replaced
// whole.
func RedactURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, raw := range parts {
		u, err := url.Parse(strings.TrimSpace(raw))
		switch {
		case err != nil:
			parts[i] = "(unparsable URL redacted)"
		case u.User != nil:
			if _, ok := u.User.Password(); !ok {
				u.User = url.User("xxxxx") // a token written as the user, masked as url.Redacted masks a password
			}
			parts[i] = u.Redacted()
		default:
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}
