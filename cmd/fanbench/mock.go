package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fanbench/fanbench/internal/gcfloor"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
)

// defaultMockHost is where fanbench mock listens unless --listen names
// another host: nothing outside the machine can reach the mocks by default.
const defaultMockHost = "127.0.0.1"

type mockFlags struct {
	config     string
	listen     string
	seed       uint64
	adminToken string
	server     string
}

func newMockCmd(stdout, stderr io.Writer) *cobra.Command {
	var f mockFlags
	cmd := &cobra.Command{
		Use:   "mock --config FILE [--listen ADDR] [--seed N]",
		Short: "Serve the mock upstreams of a file until Ctrl-C, for curl, vegeta, k6 or your application",
		Long: `Serve the mock upstreams of a file, each on its own port, until Ctrl-C: for
curl, vegeta, k6 or an application under test. FILE is a whole scenario (only its
upstreams and seed are used) or a file holding only upstreams and optionally seed;
every upstream must be a mock.

One line per upstream goes to stdout, "NAME  URL", in file order. By default each
listens on 127.0.0.1 on a free port. --listen HOST listens on HOST instead (free
ports); --listen HOST:PORT gives the upstreams PORT, PORT+1, ... in file order.
Nothing listens beyond this machine unless --listen names such an address, such as
0.0.0.0; an empty host (":9000") means 127.0.0.1.

A request's latency and fault are drawn from (seed, upstream, Fanbench-Seq,
Fanbench-Attempt); without those headers, the seq counts requests. The
Idempotency-Key of every request goes in the ledger. Each upstream serves admin
endpoints under /__fanbench/: GET stats, GET ledger, POST reset, GET and PUT config.
The reads answer anyone who can reach the mock; the writes (PUT config, POST
reset) are taken from this machine only, unless --admin-token (or the
FANBENCH_ADMIN_TOKEN environment variable) sets a token, which every write must
then carry as "Authorization: Bearer TOKEN". A request body must arrive within
10s of its headers, and its headers within 10s of the connection: a client that
sends them slower gets 408 and is disconnected.`,
		Example: `  fanbench examples seed > seed.yaml
  fanbench mock --config seed.yaml
  fanbench mock --config upstreams.yaml --listen 127.0.0.1:9000 --seed 7
  fanbench mock upstreams.yaml --listen 0.0.0.0

  # in another terminal, with the URL the first line printed:
  curl -i http://127.0.0.1:9000/users/1
  curl -i -H 'Fanbench-Seq: 12' -H 'Idempotency-Key: op-12' -X PUT http://127.0.0.1:9000/users/12
  curl http://127.0.0.1:9000/__fanbench/stats
  curl -X PUT -d '{"latency": "50ms", "errors": {"503": "5%"}}' http://127.0.0.1:9000/__fanbench/config`,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return usagef("mock takes one file, got %d", len(args))
			case len(args) == 1 && f.config != "":
				return usagef("give the file as --config FILE or as an argument, not both")
			case len(args) == 0 && f.config == "":
				return usagef("mock needs a file of upstreams: --config FILE (a scenario or a file of upstreams: and seed:)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				f.config = args[0]
			}
			return runMock(cmd, &f, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.config, "config", "c", "", "serve the upstreams of `FILE`, a scenario or a file of upstreams")
	fl.StringVar(&f.listen, "listen", defaultMockHost, "listen on `HOST` (free ports) or HOST:PORT (ports PORT, PORT+1, ... in file order)")
	fl.Uint64Var(&f.seed, "seed", 0, "override the seed of the paired draws")
	fl.StringVar(&f.server, "server", "fast", "the HTTP server: `fast` (fanbench's own HTTP/1.1 server, which hands what it does not serve to net/http) or std (net/http's alone, as before; about 20 allocations a request where fast makes one)")
	fl.StringVar(&f.adminToken, "admin-token", "", "take admin writes (PUT config, POST reset) from any host that sends `TOKEN` as Authorization: Bearer TOKEN, rather than from this machine only (default: $"+mockupstream.AdminTokenEnv+")")
	return cmd
}

func runMock(cmd *cobra.Command, f *mockFlags, stdout, stderr io.Writer) error {
	host, port, err := parseListen(f.listen)
	if err != nil {
		return usageError{fmt.Errorf("--listen %q: %w", f.listen, err)}
	}
	if f.server != "fast" && f.server != "std" {
		return usagef("--server %q: want fast or std", f.server)
	}
	file, err := scenarios.LoadUpstreams(f.config)
	if err != nil {
		return err
	}
	defer gcfloor.Keep(gcfloor.Default)() // a collection delays the answers in flight
	seed := file.Seed
	if cmd.Flags().Changed("seed") {
		seed = f.seed
	}
	token := f.adminToken
	if !cmd.Flags().Changed("admin-token") {
		token = os.Getenv(mockupstream.AdminTokenEnv)
	}
	ups := file.Upstreams
	if port > 0 && port+len(ups)-1 > 65535 {
		return usagef("--listen %q: %d upstreams from port %d go past port 65535", f.listen, len(ups), port)
	}
	servers := make([]*mockupstream.Server, 0, len(ups))
	defer func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}()
	for i, u := range ups {
		p := 0
		if port > 0 {
			p = port + i
		}
		addr := net.JoinHostPort(host, strconv.Itoa(p))
		s, err := mockupstream.Start(mockupstream.Options{Name: u.Name, Seed: seed, Config: *u.Mock, Addr: addr, AdminToken: token,
			NetHTTP: f.server == "std"})
		if err != nil {
			if cause := errors.Unwrap(err); cause != nil {
				err = cause // Start's message names the upstream; ours does too
			}
			err = fmt.Errorf("upstream %s cannot listen on %s: %w", u.Name, addr, err)
			if cmd.Flags().Changed("listen") {
				return usageError{fmt.Errorf("--listen %q: %w", f.listen, err)}
			}
			return err
		}
		servers = append(servers, s)
	}

	width := 0
	for _, s := range servers {
		width = max(width, len(s.Name()))
	}
	urls := make([]string, len(servers))
	for i, s := range servers {
		urls[i] = dialURL(s.URL(), host)
		fmt.Fprintf(stdout, "%-*s  %s\n", width, s.Name(), urls[i])
	}
	first := urls[0]
	fmt.Fprintf(stderr, "fanbench: serving %d mock upstream%s from %s (seed %d); Ctrl-C stops them\n",
		len(servers), plural(len(servers)), f.config, seed)
	if w := adminWarning(host, token); w != "" {
		fmt.Fprintf(stderr, "fanbench: %s\n", w)
	}
	fmt.Fprintf(stderr, "  try:    curl -i %s/\n", first)
	fmt.Fprintf(stderr, "  paired: curl -i -H 'Fanbench-Seq: 1' -H 'Fanbench-Attempt: 0' -H 'Idempotency-Key: op-1' %s/\n", first)
	fmt.Fprintf(stderr, "  admin:  curl %s%sstats   (also GET ledger, GET|PUT config, POST reset)\n", first, mockupstream.AdminPrefix)

	<-cmd.Context().Done()

	var counts []string
	for _, s := range servers {
		counts = append(counts, fmt.Sprintf("%s %d", s.Name(), s.Stats().Received))
	}
	var errs []error
	for _, s := range servers {
		if err := s.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing upstream %s: %w", s.Name(), err))
		}
	}
	servers = nil
	fmt.Fprintf(stderr, "fanbench: stopped; requests received: %s\n", strings.Join(counts, ", "))
	return errors.Join(errs...)
}

// adminWarning says who can reach the mocks and change them: other
// machines, when the mocks listen beyond this one; "" when only this one.
func adminWarning(host, token string) string {
	ip := net.ParseIP(host)
	network := host != "localhost" && (ip == nil || !ip.IsLoopback())
	switch {
	case network && token != "":
		return fmt.Sprintf("listening on %s: other machines can reach the mocks and read their admin endpoints; "+
			"admin writes (PUT config, POST reset) need the admin token: Authorization: Bearer TOKEN", host)
	case network:
		return fmt.Sprintf("listening on %s: other machines can reach the mocks and read their admin endpoints; "+
			"admin writes (PUT config, POST reset) are refused from them unless --admin-token (or %s) sets a token they send",
			host, mockupstream.AdminTokenEnv)
	case token != "":
		return "admin writes (PUT config, POST reset) need the admin token: Authorization: Bearer TOKEN"
	}
	return ""
}

// parseListen reads --listen: HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6
// address. An empty host is 127.0.0.1; port 0 means a free port for each.
func parseListen(s string) (host string, port int, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return defaultMockHost, 0, nil
	}
	h, p, splitErr := net.SplitHostPort(s)
	switch {
	case splitErr == nil:
		host = h
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return "", 0, fmt.Errorf("port %q is not a number from 0 to 65535", p)
		}
		port = n
	case net.ParseIP(strings.Trim(s, "[]")) != nil:
		host = strings.Trim(s, "[]") // a bare address, IPv6 included
	case strings.ContainsAny(s, ":[]/ "):
		return "", 0, errors.New("want HOST or HOST:PORT, such as 127.0.0.1, 0.0.0.0 or 127.0.0.1:9000")
	default:
		host = s // a host name
	}
	if host == "" {
		host = defaultMockHost
	}
	return host, port, nil
}

// dialURL is the URL to reach a server that listens on host: the server's
// own, except that for 0.0.0.0, which Go listens on as [::], it is
// 127.0.0.1 rather than [::1].
func dialURL(url, host string) string {
	if ip := net.ParseIP(host); ip == nil || !ip.Equal(net.IPv4zero) {
		return url
	}
	if i := strings.LastIndex(url, ":"); i >= 0 && strings.HasPrefix(url, "http://[::1]:") {
		return "http://127.0.0.1" + url[i:]
	}
	return url
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
