package loadgen

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Segment is a share of a schedule, as k6's --execution-segment names one:
// From:To, two fractions of the whole between 0 and 1. The segments of a
// partition of [0, 1] (0:1/3, 1/3:2/3, 2/3:1) split a schedule so that
// every operation belongs to exactly one of them: the union of the
// segments' operations is the whole schedule, with the same numbers and
// the same intended starts, so the mocks' paired draws are the same.
//
// Operation n belongs to the segment when n mod Den lies in [From, To),
// the fractions being written over the denominator Den: out of every Den
// consecutive operations, a segment takes To − From of them, in one
// block. The segments of one split must share their Den (Share and
// Partition make them so). The zero Segment is the whole schedule.
type Segment struct {
	// From and To are numerators over Den: the segment is From/Den to
	// To/Den. Den 0 is the whole schedule.
	From, To, Den uint64
}

// maxSegmentDen bounds the common denominator: plenty for any split into
// agents, and small enough that no product of it with a count overflows.
const maxSegmentDen = 1 << 16

// ErrSegment marks a segment that cannot be parsed or is empty.
var ErrSegment = errors.New("invalid execution segment")

// Share returns the segment that is the i-th of n equal shares (from 0).
func Share(i, n int) Segment {
	if n <= 1 {
		return Segment{}
	}
	return Segment{From: uint64(i), To: uint64(i + 1), Den: uint64(n)}
}

// ParseSegment reads "FROM:TO", each a fraction such as 1/3, 0 or 1.
func ParseSegment(s string) (Segment, error) {
	from, to, ok := strings.Cut(s, ":")
	if !ok {
		return Segment{}, fmt.Errorf("%w %q: want FROM:TO, such as 0:1/3", ErrSegment, s)
	}
	fn, fd, err := parseFraction(from)
	if err != nil {
		return Segment{}, fmt.Errorf("%w %q: %v", ErrSegment, s, err)
	}
	tn, td, err := parseFraction(to)
	if err != nil {
		return Segment{}, fmt.Errorf("%w %q: %v", ErrSegment, s, err)
	}
	den := lcm(fd, td)
	if den > maxSegmentDen {
		return Segment{}, fmt.Errorf("%w %q: the denominators' least common multiple %d is above %d", ErrSegment, s, den, maxSegmentDen)
	}
	seg := Segment{From: fn * (den / fd), To: tn * (den / td), Den: den}
	if seg.From >= seg.To || seg.To > den {
		return Segment{}, fmt.Errorf("%w %q: want 0 ≤ FROM < TO ≤ 1", ErrSegment, s)
	}
	if seg.From == 0 && seg.To == den {
		return Segment{}, nil
	}
	return seg, nil
}

func parseFraction(s string) (num, den uint64, err error) {
	n, d, frac := strings.Cut(strings.TrimSpace(s), "/")
	if num, err = strconv.ParseUint(n, 10, 32); err != nil {
		return 0, 0, fmt.Errorf("%q is not a fraction such as 1/3", s)
	}
	den = 1
	if frac {
		if den, err = strconv.ParseUint(d, 10, 32); err != nil || den == 0 {
			return 0, 0, fmt.Errorf("%q is not a fraction such as 1/3", s)
		}
	}
	if num > den {
		return 0, 0, fmt.Errorf("%q is above 1", s)
	}
	if den > maxSegmentDen {
		return 0, 0, fmt.Errorf("%q: the denominator is above %d", s, maxSegmentDen)
	}
	return num, den, nil
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b uint64) uint64 { return a / gcd(a, b) * b }

// Partition parses segments that together cover [0, 1] once, in order
// (0:1/4, 1/4:1/3, 1/3:1), and writes them over one common denominator:
// only segments over one denominator split a schedule so that each
// operation is in exactly one of them.
func Partition(specs ...string) ([]Segment, error) {
	segs := make([]Segment, len(specs))
	den := uint64(1)
	for i, spec := range specs {
		seg, err := ParseSegment(spec)
		if err != nil {
			return nil, err
		}
		if seg.Whole() {
			seg = Segment{From: 0, To: 1, Den: 1}
		}
		segs[i] = seg
		if den = lcm(den, seg.Den); den > maxSegmentDen {
			return nil, fmt.Errorf("%w: the segments' common denominator is above %d", ErrSegment, maxSegmentDen)
		}
	}
	var at uint64
	for i := range segs {
		k := den / segs[i].Den
		segs[i] = Segment{From: segs[i].From * k, To: segs[i].To * k, Den: den}
		if segs[i].From != at {
			return nil, fmt.Errorf("%w: %s does not start where the segment before it ends", ErrSegment, specs[i])
		}
		at = segs[i].To
	}
	if at != den {
		return nil, fmt.Errorf("%w: the segments end before 1", ErrSegment)
	}
	return segs, nil
}

// Whole reports whether the segment is the whole schedule.
func (s Segment) Whole() bool { return s.Den == 0 || s.From == 0 && s.To == s.Den }

// String is the segment as ParseSegment reads it, "0:1" for the whole.
func (s Segment) String() string {
	if s.Whole() {
		return "0:1"
	}
	return fraction(s.From, s.Den) + ":" + fraction(s.To, s.Den)
}

func fraction(n, d uint64) string {
	if n == 0 || n == d {
		return strconv.FormatUint(n/max(d, 1), 10)
	}
	g := gcd(n, d)
	return strconv.FormatUint(n/g, 10) + "/" + strconv.FormatUint(d/g, 10)
}

// Has reports whether operation n belongs to the segment.
func (s Segment) Has(n uint64) bool {
	if s.Whole() {
		return true
	}
	r := n % s.Den
	return r >= s.From && r < s.To
}

// Below counts the segment's operations among 0 … n−1.
func (s Segment) Below(n uint64) uint64 {
	if s.Whole() {
		return n
	}
	per := s.To - s.From
	r := n % s.Den
	return n/s.Den*per + min(max(r, s.From), s.To) - s.From
}

// Nth returns the number of the segment's j-th operation (from 0): how a
// closed model's operations, counted by one agent, are numbered so that no
// two agents use the same numbers.
func (s Segment) Nth(j uint64) uint64 {
	if s.Whole() {
		return j
	}
	per := s.To - s.From
	return j/per*s.Den + s.From + j%per
}
