package otelexport

import (
	"context"
	"sync"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// countingExporter counts the exports and their failures, and keeps a
// failure from the reader, which would hand it to OpenTelemetry's global
// error handler (a line on stderr every second while a collector is down):
// fanbench says it once, as a warning of the run.
type countingExporter struct {
	sdkmetric.Exporter
	mu     sync.Mutex
	sent   int
	failed int
	last   error
}

func (c *countingExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	err := c.Exporter.Export(ctx, rm)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent++
	if err != nil {
		c.failed++
		c.last = err
	}
	return nil
}

func (c *countingExporter) stats() (sent, failed int, last error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent, c.failed, c.last
}
