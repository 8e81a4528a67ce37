package mockupstream

import (
	"net/http"
	"time"
)

// AdminPrefix is the path under which a mock upstream serves its admin
// endpoints; requests under it are not traffic and are not counted.
const AdminPrefix = "/__fanbench/"

// adminHandler serves the admin endpoints. STUB: to be built (issue 3).
func (s *Server) adminHandler() http.Handler { return http.NotFoundHandler() }

// latencyRecorder records injected delays, safe for concurrent use.
// STUB: to be built (issue 3).
type latencyRecorder struct{}

func newLatencyRecorder() *latencyRecorder { return &latencyRecorder{} }

// Record adds one injected delay.
func (r *latencyRecorder) Record(d time.Duration) {}
