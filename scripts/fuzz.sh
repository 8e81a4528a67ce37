#!/usr/bin/env bash
# fuzz.sh: a short run of every fuzz target (make fuzz).
#
# Go's fuzzing coordinator sometimes ends a duration-bounded run with
# "context deadline exceeded" and no failing input, when a worker is still
# mid-execution as -fuzztime runs out on a loaded machine (a known race, not
# a finding). A target that fails that way, without writing a new input to
# its testdata/fuzz directory, is run once more; a target that writes one
# fails at once, and so does a second failure.
set -euo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}

corpus_count() { # files in a target's saved corpus
	local dir=$1/testdata/fuzz/$2
	if [ -d "$dir" ]; then find "$dir" -type f | wc -l; else echo 0; fi
}

for pkg in $($GO list ./...); do
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	for target in $($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		for try in 1 2; do
			echo "fuzz $pkg $target"
			before=$(corpus_count "$dir" "$target")
			if $GO test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" "$pkg"; then
				break
			fi
			if [ "$(corpus_count "$dir" "$target")" != "$before" ] || [ "$try" = 2 ]; then
				echo "fuzz: $target failed; a failing input, if any, is in $dir/testdata/fuzz/$target" >&2
				exit 1
			fi
			echo "fuzz: $target stopped without a failing input (the coordinator's deadline race); running it again" >&2
		done
	done
done
