package otelexport

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/proto"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/runner"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// receiver is an OTLP/HTTP metrics endpoint on loopback that keeps every
// request it decodes.
type receiver struct {
	mu       sync.Mutex
	requests []*colmetricpb.ExportMetricsServiceRequest
	status   int // answer with this status instead, when set
	srv      *httptest.Server
}

func newReceiver(t *testing.T, status int) *receiver {
	r := &receiver{status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/v1/metrics" || req.Header.Get("Content-Type") != "application/x-protobuf" {
			t.Errorf("request to %s with Content-Type %q", req.URL.Path, req.Header.Get("Content-Type"))
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			t.Error(err)
			return
		}
		if r.status != 0 {
			w.WriteHeader(r.status)
			return
		}
		var m colmetricpb.ExportMetricsServiceRequest
		if err := proto.Unmarshal(body, &m); err != nil {
			t.Errorf("decoding an export: %v", err)
			return
		}
		r.mu.Lock()
		r.requests = append(r.requests, &m)
		r.mu.Unlock()
		out, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) all() []*colmetricpb.ExportMetricsServiceRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*colmetricpb.ExportMetricsServiceRequest(nil), r.requests...)
}

func attr(attrs []*commonpb.KeyValue, key string) (string, bool) {
	for _, kv := range attrs {
		if kv.Key == key {
			if s, ok := kv.Value.Value.(*commonpb.AnyValue_StringValue); ok {
				return s.StringValue, true
			}
			if i, ok := kv.Value.Value.(*commonpb.AnyValue_IntValue); ok {
				return strconv.FormatInt(i.IntValue, 10), true
			}
		}
	}
	return "", false
}

// metric finds the named metric in the last request that holds it.
func lastMetric(reqs []*colmetricpb.ExportMetricsServiceRequest, name string) *metricpb.Metric {
	for i := len(reqs) - 1; i >= 0; i-- {
		for _, rm := range reqs[i].ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					if m.Name == name {
						return m
					}
				}
			}
		}
	}
	return nil
}

func testScenario(rate units.Rate, d time.Duration) *scenarios.Scenario {
	lat := draws.Latency{Dist: "lognormal", P50: units.Duration(4 * time.Millisecond), P99: units.Duration(15 * time.Millisecond)}
	return &scenarios.Scenario{
		Name: "exported", Seed: 11,
		Upstreams: scenarios.Upstreams{
			{Name: "profile", Mock: &mockupstream.Config{Latency: lat, Errors: map[int]units.Fraction{503: 0.05}}},
			{Name: "audit", Mock: &mockupstream.Config{Latency: lat}},
		},
		Operation: scenarios.Operation{Calls: []scenarios.Call{
			{Upstream: "profile", Method: "PUT", Path: "/users/1", Critical: true}, {Upstream: "audit", Method: "POST", Path: "/log"}}},
		Load:       scenarios.LoadSpec{Model: "open", Rate: rate, Duration: units.Duration(d), MaxInFlight: 50},
		Strategies: []scenarios.Strategy{{Name: "fanout"}},
	}
}

// What arrives at a collector: every instrument, with the conventions'
// attributes, and an operation-latency histogram whose p99 is the result's
// (HDR) p99 within 2%.
func TestExportArrivesAtACollector(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, 0)
	e, err := New(t.Context(), Options{Endpoint: rcv.srv.URL, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(t.Context(), testScenario(400, 2500*time.Millisecond), runner.Options{Exporters: []runner.Exporter{e}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if w := e.Warning(); w != "" {
		t.Errorf("warning: %s", w)
	}
	reqs := rcv.all()
	if len(reqs) < 3 {
		t.Fatalf("%d exports arrived in a 2.5 s run, want one a second and the last", len(reqs))
	}
	if sent, failed := e.Exports(); failed != 0 || sent != len(reqs) {
		t.Errorf("%d exports, %d failed; the collector got %d", sent, failed, len(reqs))
	}
	for _, name := range []string{nameOperations, nameDuration, nameServiceTime, nameScheduleLag, nameInFlight, nameCalls, nameAttempts, nameCallDuration} {
		if lastMetric(reqs, name) == nil {
			t.Errorf("no %s arrived", name)
		}
	}
	res0 := reqs[len(reqs)-1].ResourceMetrics[0].Resource
	if v, _ := attr(res0.Attributes, "service.name"); v != "fanbench" {
		t.Errorf("service.name %q, want fanbench", v)
	}

	sr := res.Strategies[0]
	dur := lastMetric(reqs, nameDuration)
	if dur.Unit != "s" || len(dur.GetExponentialHistogram().DataPoints) != 1 {
		t.Fatalf("%s: unit %q, %d points", nameDuration, dur.Unit, len(dur.GetExponentialHistogram().DataPoints))
	}
	p := dur.GetExponentialHistogram().DataPoints[0]
	if v, _ := attr(p.Attributes, "fanbench.strategy"); v != "fanout" {
		t.Errorf("fanbench.strategy %q", v)
	}
	if p.Count != sr.Operations {
		t.Errorf("the exported histogram holds %d operations, the result %d", p.Count, sr.Operations)
	}
	got := QuantileOf(p.Scale, p.Positive.Offset, p.Positive.BucketCounts, 0.99) * 1000
	if want := sr.Latency.P99; math.Abs(got-want) > 0.02*want {
		t.Errorf("exported p99 %.3f ms, HDR p99 %.3f ms: more than 2%% apart (scale %d)", got, want, p.Scale)
	} else {
		t.Logf("exported p99 %.3f ms, HDR p99 %.3f ms (scale %d, %d buckets)", got, want, p.Scale, len(p.Positive.BucketCounts))
	}

	calls := lastMetric(reqs, nameCalls).GetSum()
	if !calls.IsMonotonic || calls.AggregationTemporality != metricpb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE {
		t.Errorf("%s is not a cumulative monotonic sum", nameCalls)
	}
	var ok200, err503 int64
	for _, dp := range calls.DataPoints {
		up, _ := attr(dp.Attributes, "fanbench.upstream")
		status, _ := attr(dp.Attributes, "http.response.status_code")
		et, _ := attr(dp.Attributes, "error.type")
		switch {
		case up == "profile" && status == "200":
			ok200 = dp.GetAsInt()
		case up == "profile" && status == "503" && et == "503":
			err503 = dp.GetAsInt()
		}
		if _, has := attr(dp.Attributes, "server.port"); has {
			t.Errorf("a mock's calls carry server.port (it changes with every strategy)")
		}
	}
	if up := sr.Upstreams[0]; uint64(ok200) != up.Statuses["200"] || uint64(err503) != up.Statuses["503"] || err503 == 0 {
		t.Errorf("profile: exported 200×%d 503×%d, the result %v", ok200, err503, up.Statuses)
	}
}

// A collector that refuses every export, or is not there at all, costs
// the run nothing but a warning.
func TestExportFailuresAreCountedNotFatal(t *testing.T) {
	t.Parallel()
	refusing := newReceiver(t, http.StatusServiceUnavailable)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	for _, endpoint := range []string{refusing.srv.URL, gone.URL} {
		e, err := New(t.Context(), Options{Endpoint: endpoint, Interval: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		res, err := runner.Run(t.Context(), testScenario(100, 1200*time.Millisecond), runner.Options{Exporters: []runner.Exporter{e}})
		if err != nil {
			t.Fatal(err)
		}
		_ = e.Shutdown(t.Context())
		if res.Strategies[0].Operations < 100 {
			t.Errorf("%s: %d operations ran", endpoint, res.Strategies[0].Operations)
		}
		sent, failed := e.Exports()
		if w := e.Warning(); failed == 0 || failed != sent || !strings.Contains(w, "exports failed") {
			t.Errorf("%s: %d of %d exports failed; warning %q", endpoint, failed, sent, w)
		}
	}
}

func TestEndpointURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://localhost:4318":               "http://localhost:4318/v1/metrics",
		"http://localhost:4318/":              "http://localhost:4318/v1/metrics",
		"https://otel.example:443/otlp":       "https://otel.example:443/otlp/v1/metrics",
		"http://127.0.0.1:4318/v1/metrics":    "http://127.0.0.1:4318/v1/metrics",
		"https://collector/prefix/v1/metrics": "https://collector/prefix/v1/metrics",
	} {
		if got, err := endpointURL(in); err != nil || got != want {
			t.Errorf("endpointURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"localhost:4318", "grpc://localhost:4317", "", "http://"} {
		if _, err := endpointURL(bad); err == nil {
			t.Errorf("endpointURL(%q) accepted", bad)
		}
	}
}

// --otlp env: the endpoint, headers and the rest come from the OTEL_*
// variables; a protocol other than http/protobuf is refused.
func TestEnvironmentConfiguresTheExport(t *testing.T) {
	rcv := newReceiver(t, 0)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rcv.srv.URL)
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test")
	e, err := New(t.Context(), Options{Endpoint: EnvEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	live, _ := liveCounts(t, []time.Duration{time.Millisecond})
	now := time.Now()
	e.Export(runner.LiveSnapshot{Scenario: "s", Strategy: "fanout", Started: now, At: now, Final: true, Counts: live.Read()})
	if err := e.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	reqs := rcv.all()
	if len(reqs) == 0 {
		t.Fatal("nothing arrived at the OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	if v, _ := attr(reqs[0].ResourceMetrics[0].Resource.Attributes, "deployment.environment.name"); v != "test" {
		t.Errorf("OTEL_RESOURCE_ATTRIBUTES not honoured: %q", v)
	}
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	if _, err := New(t.Context(), Options{Endpoint: EnvEndpoint}); err == nil || !strings.Contains(err.Error(), "http/protobuf") {
		t.Errorf("a gRPC protocol was not refused: %v", err)
	}
}
