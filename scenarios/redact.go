package scenarios

import (
	"bytes"
	"cmp"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fanbench/fanbench/internal/strictyaml"
	"github.com/fanbench/fanbench/strategies"
)

// This file keeps secrets out of what fanbench writes: the scenario stored
// in a result file, error messages and progress lines.

// Redacted replaces a secret in messages, and in a stored scenario when no
// fingerprint key is to be had (see FingerprintKey): there a secret
// becomes "[redacted:KEYID:FP]".
const Redacted = "[redacted]"

// secretHeaders are header names whose values are credentials, in lower case.
var secretHeaders = []string{"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}

// secretHeaderWords make any header name that contains one sensitive.
var secretHeaderWords = []string{"token", "secret", "password", "passwd", "apikey", "api-key", "api_key", "auth", "credential"}

// IsSecretHeader reports whether a header's value is a credential to keep
// out of every output: Authorization, Cookie, X-Api-Key and the like, and
// any name containing token, secret, password, passwd, apikey, api-key,
// api_key, auth or credential, in any case.
func IsSecretHeader(name string) bool {
	lower := strings.ToLower(strings.TrimSpace(name))
	if slices.Contains(secretHeaders, lower) {
		return true
	}
	return slices.ContainsFunc(secretHeaderWords, func(w string) bool { return strings.Contains(lower, w) })
}

// secretQueryWords make any query parameter whose name contains one
// sensitive, beside secretHeaderWords; secretQueryNames are names that are
// sensitive on their own.
var (
	secretQueryWords = []string{"signature", "session", "private"}
	secretQueryNames = []string{"key", "sig", "pwd", "pass"}
)

// IsSecretQueryParam reports whether the value of a URL's query parameter
// is a credential to keep out of every output: the names of IsSecretHeader
// (api_key, access_token, auth, password, …), and key, sig, pwd, pass or
// any name containing signature, session or private, in any case.
func IsSecretQueryParam(name string) bool {
	lower := strings.ToLower(strings.TrimSpace(name))
	if IsSecretHeader(lower) || slices.Contains(secretQueryNames, lower) {
		return true
	}
	return slices.ContainsFunc(secretQueryWords, func(w string) bool { return strings.Contains(lower, w) })
}

// queryParams calls f with each parameter of the query in text (a URL or a
// request path, templates allowed), as written and unescaped: its name,
// its value, and where the value sits in text.
func queryParams(text string, f func(name, value string, from, to int)) {
	q := strings.IndexByte(text, '?')
	if q < 0 {
		return
	}
	end := len(text)
	if h := strings.IndexByte(text[q:], '#'); h >= 0 {
		end = q + h
	}
	for from := q + 1; from < end; {
		next := strings.IndexByte(text[from:end], '&')
		pairEnd := end
		if next >= 0 {
			pairEnd = from + next
		}
		if eq := strings.IndexByte(text[from:pairEnd], '='); eq >= 0 {
			name, value := text[from:from+eq], text[from+eq+1:pairEnd]
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			if v, err := url.QueryUnescape(value); err == nil {
				value = v
			}
			f(name, value, from+eq+1, pairEnd)
		}
		from = pairEnd + 1
	}
}

// redactQuery replaces the values of secret query parameters in text (a
// URL or a request path) with [redacted], whatever their length.
func redactQuery(text string) string {
	var b strings.Builder
	last := 0
	queryParams(text, func(name, _ string, from, to int) {
		if IsSecretQueryParam(name) && from < to {
			b.WriteString(text[last:from])
			b.WriteString(Redacted)
			last = to
		}
	})
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// querySecrets adds the values of the secret query parameters of text to
// out; a value that is a template is left out (what it expands to is not
// known here).
func querySecrets(out []string, text string) []string {
	queryParams(text, func(name, value string, _, _ int) {
		if IsSecretQueryParam(name) && value != "" && !strings.Contains(value, "{{") {
			out = append(out, value)
		}
	})
	return out
}

// Secrets returns the texts to keep out of every output, longest first:
// the values the file took from the environment, the values of its secret
// headers (see IsSecretHeader), the credential after an auth scheme
// ("Bearer abc…" gives abc… too) and the passwords of upstream URLs.
// Texts under minSecretLen characters are left out, as they cannot be told
// from ordinary text; RedactedJSON hides secret headers and URL passwords
// whatever their length.
func (s *Scenario) Secrets() []string {
	if s == nil {
		return nil
	}
	return secretsOf(append(slices.Clone(s.envSecrets), s.asyncSecrets()...), s.Upstreams, s.Operation.Calls, s.Strategies)
}

// Redact returns text with every occurrence of a secret replaced by
// [redacted]; overlapping secrets become one [redacted].
func (s *Scenario) Redact(text string) string {
	return redact(text, s.Secrets())
}

// RedactError returns err with its message redacted, still matching what
// err matches (errors.Is, errors.As); err itself when it holds no secret.
func (s *Scenario) RedactError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := s.Redact(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactedJSON is the scenario as JSON, fit to be stored in a result file:
// the values of secret headers are [redacted] (credentials change between
// runs of one experiment), upstream URLs have their password masked as
// url.URL.Redacted does, and every other string value has its secrets (see
// Secrets) replaced by their keyed fingerprint, "[redacted:KEYID:FP]" (see
// FingerprintKey), so that a comparison can tell two values apart without
// either being written; by [redacted] when there is no key to be had.
// The values of secret query parameters in URLs and paths are [redacted]
// whatever their length.
// Keys are kept as they are, in the order json.Marshal writes them.
func (s *Scenario) RedactedJSON() (json.RawMessage, error) {
	secrets := s.Secrets()
	cp := *s
	cp.Upstreams = slices.Clone(s.Upstreams)
	for i := range cp.Upstreams {
		u := &cp.Upstreams[i]
		u.Headers = redactHeaders(u.Headers)
		if u.URL != "" {
			u.URL = redactQuery(redactURL(u.URL))
		}
	}
	cp.Operation.Calls = slices.Clone(s.Operation.Calls)
	for i := range cp.Operation.Calls {
		c := &cp.Operation.Calls[i]
		c.Headers = redactHeaders(c.Headers)
		c.Path = redactQuery(c.Path)
		if c.Compensate != nil {
			comp := *c.Compensate
			comp.Headers = redactHeaders(comp.Headers)
			comp.Path = redactQuery(comp.Path)
			c.Compensate = &comp
		}
	}
	redactAsync(&cp)
	cp.Strategies = slices.Clone(s.Strategies)
	for i := range cp.Strategies {
		if so, ok := cp.Strategies[i].Options.(strategies.SecretOptions); ok {
			cp.Strategies[i].Options = so.Redacted() // a broker's URL password and token
		}
	}
	raw, err := json.Marshal(&cp)
	if err != nil {
		return nil, err
	}
	if len(secrets) == 0 {
		return raw, nil
	}
	mark := func(string) string { return Redacted }
	if k := s.fingerprintKey(); k != nil {
		mark = k.Mark
	}
	return redactJSONStrings(raw, secrets, mark)
}

// secretsOf gathers the secrets of a file: the values it took from the
// environment, those of its secret headers, its URL passwords and the
// credentials in strategies' options (a broker's).
func secretsOf(fromEnv []string, ups Upstreams, calls []Call, strats []Strategy) []string {
	out := slices.Clone(fromEnv)
	for _, v := range fromEnv {
		// A duration is stored as Go writes it: 0.2s from the environment
		// is 200ms in the stored scenario, a secret too.
		if d, err := time.ParseDuration(strings.TrimSpace(v)); err == nil {
			out = append(out, d.String())
		}
	}
	header := func(h map[string]string) {
		for name, value := range h {
			if !IsSecretHeader(name) {
				continue
			}
			out = append(out, value)
			if _, credential, ok := strings.Cut(strings.TrimSpace(value), " "); ok {
				out = append(out, strings.TrimSpace(credential)) // Bearer abc → abc
			}
		}
	}
	for _, u := range ups {
		header(u.Headers)
		if pu, err := url.Parse(u.URL); err == nil && pu.User != nil {
			if p, ok := pu.User.Password(); ok {
				out = append(out, p)
			}
		}
		out = querySecrets(out, u.URL)
	}
	for _, c := range calls {
		header(c.Headers)
		out = querySecrets(out, c.Path)
		if c.Compensate != nil {
			header(c.Compensate.Headers)
			out = querySecrets(out, c.Compensate.Path)
		}
	}
	for _, st := range strats {
		if so, ok := st.Options.(strategies.SecretOptions); ok {
			out = append(out, so.Secrets()...)
		}
	}
	out = slices.DeleteFunc(out, func(v string) bool { return utf8.RuneCountInString(v) < strictyaml.MinSecretLen })
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	return slices.Compact(out)
}

// redact replaces every stretch of text covered by occurrences of the
// secrets, overlapping or adjacent, with one [redacted], so that no part of
// a secret is left beside the mark.
func redact(text string, secrets []string) string {
	return redactWith(text, secrets, func(string) string { return Redacted })
}

// redactWith is redact with the mark of each stretch made by mark from the
// stretch's text.
func redactWith(text string, secrets []string, mark func(string) string) string {
	if text == "" || len(secrets) == 0 {
		return text
	}
	var covered []bool
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for from := 0; ; {
			i := strings.Index(text[from:], sec)
			if i < 0 {
				break
			}
			if covered == nil {
				covered = make([]bool, len(text))
			}
			for j := from + i; j < from+i+len(sec); j++ {
				covered[j] = true
			}
			from += i + 1
		}
	}
	if covered == nil {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if !covered[i] {
			b.WriteByte(text[i])
			i++
			continue
		}
		start := i
		for i < len(text) && covered[i] {
			i++
		}
		b.WriteString(mark(text[start:i]))
	}
	return b.String()
}

// redactHeaders returns a copy of h with the values of secret headers
// replaced, or h itself when it has none.
func redactHeaders(h map[string]string) map[string]string {
	var out map[string]string
	for name := range h {
		if IsSecretHeader(name) {
			if out == nil {
				out = maps.Clone(h)
			}
			out[name] = Redacted
		}
	}
	if out == nil {
		return h
	}
	return out
}

// redactURL masks the password of a URL; one that does not parse is
// replaced whole, since where its password is cannot be told.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL redacted)"
	}
	return u.Redacted()
}

// redactJSONStrings rewrites the string values of compact JSON (never its
// keys, which are the format), replacing the secrets in each with their
// mark.
func redactJSONStrings(raw []byte, secrets []string, mark func(string) string) (json.RawMessage, error) {
	if len(secrets) == 0 {
		return raw, nil
	}
	var out bytes.Buffer
	out.Grow(len(raw))
	for i := 0; i < len(raw); {
		if raw[i] != '"' {
			out.WriteByte(raw[i])
			i++
			continue
		}
		end := stringEnd(raw, i)
		lit := raw[i:end]
		next := end
		for next < len(raw) && (raw[next] == ' ' || raw[next] == '\n' || raw[next] == '\t' || raw[next] == '\r') {
			next++
		}
		if next < len(raw) && raw[next] == ':' {
			out.Write(lit) // a key
			i = end
			continue
		}
		var s string
		if err := json.Unmarshal(lit, &s); err != nil {
			return nil, err
		}
		if red := redactWith(s, secrets, mark); red != s {
			enc, err := json.Marshal(red)
			if err != nil {
				return nil, err
			}
			out.Write(enc)
		} else {
			out.Write(lit)
		}
		i = end
	}
	return out.Bytes(), nil
}

// stringEnd returns the index after the string literal that starts at
// raw[start] (a quote), or len(raw) if it does not end.
func stringEnd(raw []byte, start int) int {
	for i := start + 1; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(raw)
}

// redactErrors hides the secrets in the messages of the problems: a value
// quoted back to the user may have come from the environment.
func redactErrors(es Errors, secrets []string) {
	for _, e := range es {
		e.Msg = redact(e.Msg, secrets)
	}
}
