package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// capacityBare is the floor any Go client stands on: workers goroutines,
// each sending POSTs of capacityBody back to back through one shared net/http client,
// alternating between the two upstreams, reading and closing every body.
func capacityBare(ctx context.Context, o options, mock *mockProcess) (measured, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = o.workers
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	before, err := mock.served()
	if err != nil {
		return measured{}, err
	}
	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var ok, failed atomic.Uint64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range o.workers {
		wg.Go(func() {
			for i := w; runCtx.Err() == nil; i++ {
				req, err := http.NewRequestWithContext(runCtx, http.MethodPost, mock.urls[i%2]+"/", strings.NewReader(capacityBody))
				if err != nil {
					failed.Add(1)
					return
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					if runCtx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return measured{}, ctx.Err()
	}
	after, err := mock.served()
	if err != nil {
		return measured{}, err
	}
	m := measured{tool: "bare", requests: ok.Load(), served: after - before, seconds: elapsed.Seconds(),
		note: fmt.Sprintf("; %d goroutines, net/http, %d failed", o.workers, failed.Load())}
	m.rate = float64(m.requests) / m.seconds
	return m, nil
}
