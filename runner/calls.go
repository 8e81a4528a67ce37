package runner

import (
	"crypto/tls"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// buildCalls prepares the operation's calls against the started upstreams,
// a repeated call as that many copies, each with its {{.Index}} and its
// ordinal among the calls to its upstream (which keys its paired draw). A
// compensation gets an Index past the operation's calls (calls + i), so
// its idempotency key differs from the call it undoes.
func buildCalls(sc *scenarios.Scenario, baseURLs map[string]string) ([]strategies.Call, error) {
	n := 0
	for _, c := range sc.Operation.Calls {
		n += max(c.Repeat, 1)
	}
	calls := make([]strategies.Call, 0, n)
	ordinals := map[string]uint32{} // the next ordinal by upstream
	for i, c := range sc.Operation.Calls {
		at := fmt.Sprintf("operation.calls[%d]", i)
		for copy := range max(c.Repeat, 1) {
			index := len(calls)
			call, err := buildCall(sc, baseURLs, at, index, copy, request{c.Upstream, c.Method, c.Path, c.Headers, c.Body})
			if err != nil {
				return nil, err
			}
			call.Critical = c.Critical
			call.Ordinal = ordinals[c.Upstream]
			ordinals[c.Upstream]++
			if call.Ordinal > 0 {
				call.OrdinalHeader = []string{strconv.FormatUint(uint64(call.Ordinal), 10)}
			}
			if comp := c.Compensate; comp != nil {
				cc, err := buildCall(sc, baseURLs, at+".compensate", n+index, copy, request{comp.Upstream, comp.Method, comp.Path, comp.Headers, comp.Body})
				if err != nil {
					return nil, err
				}
				call.Compensation = &cc
			}
			calls = append(calls, call)
		}
	}
	return calls, nil
}

// request is what a call or a compensation of the scenario sends.
type request struct {
	upstream, method, path string
	headers                map[string]string
	body                   string
}

func buildCall(sc *scenarios.Scenario, baseURLs map[string]string, at string, index, copy int, r request) (strategies.Call, error) {
	env := sc.TemplateEnv()
	env.Index = copy
	parse := func(field, text string) (calltemplate.Template, error) {
		t, err := calltemplate.Parse(text, env)
		if err != nil {
			return t, fmt.Errorf("%s.%s: %w: %v", at, field, scenarios.ErrInvalid, err)
		}
		return t, nil
	}
	idx := slices.IndexFunc(sc.Upstreams, func(u scenarios.Upstream) bool { return u.Name == r.upstream })
	if idx < 0 {
		return strategies.Call{}, fmt.Errorf("%s: %w: unknown upstream %q", at, scenarios.ErrInvalid, r.upstream)
	}
	path, err := parse("path", r.path)
	if err != nil {
		return strategies.Call{}, err
	}
	body, err := parse("body", r.body)
	if err != nil {
		return strategies.Call{}, err
	}
	call := strategies.Call{
		Index:         index,
		Upstream:      r.upstream,
		UpstreamIndex: idx,
		Method:        r.method,
		BaseURL:       baseURLs[r.upstream],
		Path:          path,
		Body:          body,
	}
	// The upstream's headers, then the call's own over them.
	headers := maps.Clone(sc.Upstreams[idx].Headers)
	if headers == nil {
		headers = map[string]string{}
	}
	for k, v := range r.headers {
		for old := range headers {
			if strings.EqualFold(old, k) {
				delete(headers, old)
			}
		}
		headers[k] = v
	}
	contentType := ""
	for _, k := range slices.Sorted(maps.Keys(headers)) {
		v, err := parse("headers."+k, headers[k])
		if err != nil {
			return strategies.Call{}, err
		}
		call.Headers = append(call.Headers, strategies.NewHeader(k, v))
		if strings.EqualFold(k, "Content-Type") {
			contentType = headers[k]
		}
	}
	if !body.IsZero() && contentType == "" {
		call.ContentType = sniffContentType(r.body)
	}
	return call, nil
}

// sniffContentType guesses a body's Content-Type when the scenario sets
// none: JSON when it looks like JSON, plain text otherwise.
func sniffContentType(body string) string {
	if b := strings.TrimSpace(body); strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// clients returns the HTTP client each upstream chose, by upstream index
// (those left to the default are absent).
func clients(sc *scenarios.Scenario) map[int]strategies.Client {
	out := map[int]strategies.Client{}
	for i, u := range sc.Upstreams {
		if u.Client != "" {
			out[i] = u.Client
		}
	}
	return out
}

// maxConns returns the caps of connections of the upstreams that have one,
// by upstream index.
func maxConns(sc *scenarios.Scenario) map[int]int {
	out := map[int]int{}
	for i, u := range sc.Upstreams {
		if u.MaxConns > 0 {
			out[i] = u.MaxConns
		}
	}
	return out
}

// tlsConfigs returns the TLS settings of the upstreams that have them, by
// upstream index.
func tlsConfigs(sc *scenarios.Scenario) (map[int]*tls.Config, error) {
	out := map[int]*tls.Config{}
	for i, u := range sc.Upstreams {
		if u.TLS == nil {
			continue
		}
		conf, err := u.TLS.Config()
		if err != nil {
			return nil, fmt.Errorf("upstreams.%s.tls: %w", u.Name, err)
		}
		out[i] = conf
	}
	return out, nil
}
