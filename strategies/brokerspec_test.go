package strategies

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/units"
)

// Every problem of a broker spec is reported at once, each at its key
// under broker., with the allowed values.
func TestBrokerSpecValidate(t *testing.T) {
	t.Parallel()
	js := BrokerJetStream
	tests := []struct {
		name string
		spec BrokerSpec
		want []string // "field: message fragment"
	}{
		{"default", BrokerSpec{}, nil},
		{"inproc", BrokerSpec{Kind: BrokerInProc}, nil},
		{"embedded", BrokerSpec{Kind: js, Storage: StorageMemory, AckWait: units.Duration(time.Second), MaxDeliver: 5}, nil},
		{"external", BrokerSpec{Kind: js, URL: "nats://u:p@127.0.0.1:4222, nats://127.0.0.1:4223", Replicas: 3, Publish: PublishAsync, MaxPending: 100}, nil},
		{"listen", BrokerSpec{Kind: js, Listen: "127.0.0.1:0"}, nil},
		{"unknown kind", BrokerSpec{Kind: "jetstrem"}, []string{`broker.kind: unknown broker "jetstrem"; did you mean "jetstream"?`}},
		{"inproc keys", BrokerSpec{Storage: StorageFile, Keep: true}, []string{"broker.keep: applies to kind: jetstream only", "broker.storage: applies to kind: jetstream only"}},
		{"bad values", BrokerSpec{Kind: js, Storage: "disk", Publish: "batch", AckWait: -1, MaxDeliver: 1, MaxAckPending: -2, MaxPending: 5, Replicas: 9},
			[]string{"broker.ack_wait: must be 1ms or more", "broker.max_ack_pending: must be 1 or more", "broker.max_deliver: must be 2 or more",
				"broker.max_pending: applies to publish: async only", `broker.publish: unknown publish mode "batch"`,
				"broker.replicas: the embedded server is a single node", "broker.replicas: must be from 1 to 5", `broker.storage: unknown storage "disk"`}},
		{"url", BrokerSpec{Kind: js, URL: "http://secret@127.0.0.1"}, []string{`broker.url: scheme "http"`}},
		{"url garbage", BrokerSpec{Kind: js, URL: "not a url"}, []string{"broker.url: must be a NATS URL"}},
		{"embedded with credentials", BrokerSpec{Kind: js, Token: "t"}, []string{"broker.token: applies to an external server"}},
		{"external with listen", BrokerSpec{Kind: js, URL: "nats://127.0.0.1:4222", Listen: "127.0.0.1:4222", SyncAlways: true},
			[]string{"broker.listen: applies to the embedded server only", "broker.sync_always: applies to the embedded server only"}},
		{"listen not loopback", BrokerSpec{Kind: js, Listen: "0.0.0.0:4222"}, []string{"broker.listen: \"0.0.0.0:4222\": the embedded server has no authentication"}},
		{"listen no port", BrokerSpec{Kind: js, Listen: "127.0.0.1"}, []string{"broker.listen: \"127.0.0.1\": must be host:port"}},
		{"names", BrokerSpec{Kind: js, Stream: "a.b", Consumer: "c d"}, []string{"broker.consumer: \"c d\": a NATS name", "broker.stream: \"a.b\": a NATS name"}},
		{"memory sync", BrokerSpec{Kind: js, Storage: StorageMemory, SyncAlways: true}, []string{"broker.sync_always: applies to storage: file only"}},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range draws.FieldErrors(tt.spec.Validate("broker")) {
			fe, ok := errors.AsType[*draws.FieldError](e)
			if !ok {
				t.Fatalf("%s: %v is not a FieldError", tt.name, e)
			}
			got = append(got, fe.Error())
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: Validate() = %q, want %d problems like %q", tt.name, got, len(tt.want), tt.want)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], tt.want[i]) {
				t.Errorf("%s: problem %d = %q, want it to open with %q", tt.name, i, got[i], tt.want[i])
			}
		}
		for _, g := range got {
			if strings.Contains(g, "secret") {
				t.Errorf("%s: %q quotes the URL's credentials", tt.name, g)
			}
		}
	}
}

// The queued options validate their broker at broker.* keys.
func TestQueueOptionsValidateBroker(t *testing.T) {
	t.Parallel()
	d, _ := Lookup("queued")
	o := d.Defaults().(*QueueOptions)
	o.Broker = BrokerSpec{Kind: BrokerJetStream, Storage: "ssd"}
	var fields []string
	for _, e := range draws.FieldErrors(o.Validate()) {
		fe, _ := errors.AsType[*draws.FieldError](e)
		fields = append(fields, fe.Field)
	}
	if !slices.Equal(fields, []string{"broker.storage"}) {
		t.Errorf("Validate() blames %q, want [broker.storage]", fields)
	}
}

// A result records the broker in one line, without credentials; the
// in-process default is not recorded at all, so older results stay the
// same.
func TestBrokerSpecDescribe(t *testing.T) {
	t.Parallel()
	o := &QueueOptions{Consumers: 1, Capacity: 1, WhenFull: WhenFullBlock, Drain: units.Duration(time.Second)}
	if got := Describe(o); got["broker"] != "" || len(got) != 4 {
		t.Errorf("Describe(in-process) = %v, want no broker key", got)
	}
	o.Broker = BrokerSpec{Kind: BrokerJetStream, URL: "nats://fanbench:hunter22@127.0.0.1:4222", Token: "tok", MaxDeliver: 3}
	got := Describe(o)["broker"]
	want := "jetstream file sync, nats://fanbench:xxxxx@127.0.0.1:4222, ack_wait 30s, max_deliver 3"
	if got != want {
		t.Errorf("Describe(jetstream)[broker] = %q, want %q", got, want)
	}
	o.Broker = BrokerSpec{Kind: BrokerJetStream, Storage: StorageMemory, Publish: PublishAsync}
	if got, want := o.Broker.String(), "jetstream memory async, embedded, ack_wait 30s"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestBrokerSpecSecrets(t *testing.T) {
	t.Parallel()
	s := BrokerSpec{Kind: BrokerJetStream, URL: "nats://u:pw1@127.0.0.1:4222,nats://tok2@127.0.0.1:4223", Token: "tok3"}
	if got := s.Secrets(); !slices.Equal(got, []string{"tok3", "pw1", "tok2"}) {
		t.Errorf("Secrets() = %q", got)
	}
	r := s.Redacted()
	for _, sec := range s.Secrets() {
		if strings.Contains(r.URL+r.Token, sec) {
			t.Errorf("Redacted() = %+v still holds %q", r, sec)
		}
	}
	var so SecretOptions = &QueueOptions{Broker: s}
	if red := so.Redacted().(*QueueOptions); red.Broker.Token != "[redacted]" {
		t.Errorf("QueueOptions.Redacted() kept the token: %+v", red.Broker)
	}
	if got := RedactURLs("::"); got != "(unparsable URL redacted)" {
		t.Errorf("RedactURLs(garbage) = %q", got)
	}
}

// A kind declared but not linked in says what to import; the in-process
// kind is always there, sized by the run.
func TestBrokerRegistry(t *testing.T) {
	t.Parallel()
	b, err := NewBroker(t.Context(), BrokerSpec{}, BrokerRun{Capacity: 3, Reject: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ib, ok := b.(*InProcBroker); !ok || ib.Capacity() != 3 || !ib.reject {
		t.Errorf("NewBroker(default) = %#v, want an in-process broker of capacity 3 that rejects", b)
	}
	if err := CheckBroker(t.Context(), BrokerSpec{}); err != nil {
		t.Errorf("CheckBroker(in-process) = %v", err)
	}
	for name, f := range map[string]func(){
		"undeclared": func() {
			RegisterBroker(BrokerDefinition{Kind: "kafka", New: func(context.Context, BrokerSpec, BrokerRun) (Broker, error) { return nil, nil }})
		},
		"twice": func() {
			RegisterBroker(BrokerDefinition{Kind: BrokerInProc, New: func(context.Context, BrokerSpec, BrokerRun) (Broker, error) { return nil, nil }})
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterBroker(%s) did not panic", name)
				}
			}()
			f()
		}()
	}
}

// A kind that is declared but whose package is not linked in (this test
// binary does not import brokers/jetstream) fails with the import to add.
func TestBrokerNotLinked(t *testing.T) {
	t.Parallel()
	_, err := (&QueueOptions{Consumers: 1, Capacity: 1, Broker: BrokerSpec{Kind: BrokerJetStream}}).New(nopCaller{}, Env{})
	if err == nil || !strings.Contains(err.Error(), `import _ "github.com/fanbench/fanbench/brokers/jetstream"`) {
		t.Errorf("New(jetstream, not linked) = %v, want the import to add", err)
	}
}
