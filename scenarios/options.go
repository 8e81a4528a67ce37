package scenarios

import "os"

// ParseOption tunes Load, Parse, LoadUpstreams and ParseUpstreams.
type ParseOption func(*parseOptions)

type parseOptions struct {
	lookup func(name string) (string, bool)
	key    *FingerprintKey
}

// WithEnv sets where ${NAME} finds its value: a function such as
// os.LookupEnv (the default, also used when lookup is nil) that says whether
// NAME is set and to what. Tests pass a map's lookup.
func WithEnv(lookup func(name string) (value string, ok bool)) ParseOption {
	return func(o *parseOptions) { o.lookup = lookup }
}

func parseOptionsOf(opts []ParseOption) parseOptions {
	var o parseOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.lookup == nil {
		o.lookup = os.LookupEnv
	}
	return o
}
