package otelexport

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
)

// EnvEndpoint, as Options.Endpoint, takes the endpoint from the
// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT
// variable (or the SDK's default, http://localhost:4318).
const EnvEndpoint = "env"

// DefaultInterval is how often metrics are exported unless
// OTEL_METRIC_EXPORT_INTERVAL says otherwise: every second, as the runner
// reads its figures.
const DefaultInterval = time.Second

// Options configure an Exporter. Everything else (headers, TLS,
// compression, timeouts, temporality, the resource) comes from the
// OTEL_* environment variables, as the OpenTelemetry SDK defines them.
type Options struct {
	// Endpoint is the OTLP/HTTP collector's base URL, such as
	// http://localhost:4318 (metrics go to its /v1/metrics), or a full
	// URL ending in /v1/metrics; EnvEndpoint for the environment's.
	Endpoint string
	// Version is fanbench's version, the resource's service.version.
	Version string
	// Interval is how often to export; 0 for OTEL_METRIC_EXPORT_INTERVAL,
	// or DefaultInterval when that is not set.
	Interval time.Duration
}

// ErrConfig marks options or OTEL_* variables the exporter cannot use.
var ErrConfig = errors.New("OpenTelemetry export")

// Exporter exports a run's live figures as OpenTelemetry metrics over
// OTLP/HTTP: a runner.Exporter for runner.Options.Exporters. The SDK's
// periodic reader sends them from a goroutine of its own, so a slow or
// unreachable collector never holds the load up; failed exports are
// counted (Warning), not retried: the next one, a second later, carries
// the same cumulative figures. Safe for concurrent use.
type Exporter struct {
	bridge   *bridge
	counting *countingExporter
	provider *sdkmetric.MeterProvider
	endpoint string
	once     sync.Once
}

// New starts an exporter. Nothing is sent until a strategy runs.
func New(ctx context.Context, o Options) (*Exporter, error) {
	for _, key := range []string{"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := os.Getenv(key); p != "" {
			if p != "http/protobuf" {
				return nil, fmt.Errorf("%w: %s=%s: fanbench exports OTLP over HTTP with protobuf (http/protobuf, a collector's port 4318)", ErrConfig, key, p)
			}
			break
		}
	}
	opts := []otlpmetrichttp.Option{otlpmetrichttp.WithRetry(otlpmetrichttp.RetryConfig{Enabled: false})}
	endpoint := "the environment's endpoint"
	if o.Endpoint != EnvEndpoint {
		u, err := endpointURL(o.Endpoint)
		if err != nil {
			return nil, err
		}
		opts = append(opts, otlpmetrichttp.WithEndpointURL(u))
		endpoint = u
	}
	exp, err := otlpmetrichttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	b := &bridge{
		delta:  exp.Temporality(sdkmetric.InstrumentKindHistogram) == metricdata.DeltaTemporality,
		last:   map[string]*metrics.Counts{},
		lastAt: map[string]time.Time{},
		scope:  instrumentation.Scope{Name: scopeName, Version: o.Version},
	}
	counting := &countingExporter{Exporter: exp}
	readerOpts := []sdkmetric.PeriodicReaderOption{sdkmetric.WithProducer(b)}
	switch {
	case o.Interval > 0:
		readerOpts = append(readerOpts, sdkmetric.WithInterval(o.Interval))
	case os.Getenv("OTEL_METRIC_EXPORT_INTERVAL") == "":
		readerOpts = append(readerOpts, sdkmetric.WithInterval(DefaultInterval))
	}
	res, err := resource.Merge(resource.NewSchemaless(semconv.ServiceName("fanbench"), semconv.ServiceVersion(o.Version)),
		resource.Environment()) // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
	if err != nil {
		res = resource.NewSchemaless(semconv.ServiceName("fanbench"), semconv.ServiceVersion(o.Version))
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(counting, readerOpts...)))
	if err := b.register(provider.Meter(scopeName, metric.WithInstrumentationVersion(o.Version))); err != nil {
		_ = provider.Shutdown(ctx)
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return &Exporter{bridge: b, counting: counting, provider: provider, endpoint: endpoint}, nil
}

// scopeName is the instrumentation scope of fanbench's metrics.
const scopeName = "github.com/fanbench/fanbench"

// Export hands the exporter a strategy's latest figures (runner.Exporter):
// it only keeps them; the reader sends them on its next tick.
func (e *Exporter) Export(s runner.LiveSnapshot) { e.bridge.Export(s) }

// Shutdown sends the last figures and stops the exporter, waiting at most
// until ctx ends. Safe to call twice.
func (e *Exporter) Shutdown(ctx context.Context) error {
	var err error
	e.once.Do(func() { err = e.provider.Shutdown(ctx) })
	return err
}

// Warning says how many exports failed and why, for the run's warnings;
// "" when none did.
func (e *Exporter) Warning() string {
	sent, failed, last := e.counting.stats()
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf("OpenTelemetry export to %s: %d of %d exports failed (the load went on regardless); the last: %v",
		e.endpoint, failed, sent, last)
}

// Exports returns how many exports were attempted and how many failed.
func (e *Exporter) Exports() (sent, failed int) {
	sent, failed, _ = e.counting.stats()
	return sent, failed
}

// endpointURL turns a collector's base URL into its metrics URL, as the
// SDK does with OTEL_EXPORTER_OTLP_ENDPOINT.
func endpointURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: endpoint %q: want an http or https URL such as http://localhost:4318, or %q for the OTEL_EXPORTER_OTLP_ENDPOINT variable's",
			ErrConfig, s, EnvEndpoint)
	}
	if !strings.HasSuffix(u.Path, "/v1/metrics") {
		u.Path = path.Join("/", u.Path, "v1/metrics")
	}
	return u.String(), nil
}
