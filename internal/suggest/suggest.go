package suggest

import (
	"fmt"
	"strings"
)

// closest returns the candidate nearest to s, ignoring case, when it is near
// enough to be a typo of it, or shares its first five letters (strategy,
// strategies); "" otherwise.
func Closest(s string, candidates []string) string {
	s = strings.ToLower(s)
	limit := 1
	if n := len([]rune(s)); n > 2 {
		limit = max(2, n/3)
	}
	best, bestDist := "", -1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := editDistance(s, lc)
		if d > limit && commonPrefix(s, lc) < 5 {
			continue
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// commonPrefix counts the runes a and b start with alike.
func commonPrefix(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n := 0
	for n < len(ra) && n < len(rb) && ra[n] == rb[n] {
		n++
	}
	return n
}

// didYouMean returns `; did you mean "x"?` for the closest candidate, or "".
func DidYouMean(s string, candidates []string) string {
	if c := Closest(s, candidates); c != "" && c != s {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// editDistance counts the insertions, deletions, substitutions and swaps of
// adjacent runes that turn a into b (optimal string alignment): a swap is the
// commonest typo ("fanuot"), so it costs one edit, not two.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		// Long keys are not typos of short names; spare the quadratic work.
		return max(len(ra), len(rb))
	}
	// rows i-2, i-1 and i of the table.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// choices returns the tail of an "unknown X" message: a did-you-mean when s
// looks like a typo, then the list of what is allowed.
//
//	; did you mean "fanout"? known: sequential, fanout
func Choices(s, label string, candidates []string) string {
	hint := DidYouMean(s, candidates)
	if hint == "" {
		hint = ";"
	}
	return hint + " " + label + ": " + strings.Join(candidates, ", ")
}
