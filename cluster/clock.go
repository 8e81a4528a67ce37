package cluster

import (
	"context"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// clockSamples is how many round trips estimate an agent's clock offset:
// the one with the shortest round trip is kept (NTP's rule).
const clockSamples = 5

// serveClock answers an agent's clock requests with the coordinator's
// wall clock, in Unix nanoseconds.
func serveClock(nc *nats.Conn, run string) (*nats.Subscription, error) {
	return nc.Subscribe(clockSubject(run), func(m *nats.Msg) {
		_ = m.Respond(strconv.AppendInt(nil, time.Now().UnixNano(), 10))
	})
}

// clockOffset estimates this machine's wall clock minus the coordinator's,
// and the round trip of the estimate (its error is at most half of it).
func clockOffset(ctx context.Context, nc *nats.Conn, run string) (offset, rtt time.Duration, err error) {
	rtt = -1
	for range clockSamples {
		sent := time.Now()
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		m, rerr := nc.RequestWithContext(cctx, clockSubject(run), nil)
		cancel()
		got := time.Now()
		if rerr != nil {
			err = rerr
			continue
		}
		ns, perr := strconv.ParseInt(string(m.Data), 10, 64)
		if perr != nil {
			err = perr
			continue
		}
		r := got.Sub(sent)
		if rtt < 0 || r < rtt {
			mid := sent.Add(r / 2)
			offset, rtt = mid.Sub(time.Unix(0, ns)), r
		}
	}
	if rtt < 0 {
		return 0, 0, err
	}
	return offset, rtt, nil
}
