package units

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// ByteSize is a number of bytes written with a unit: "512B", "4KiB", "1MB",
// "1.5MiB". A bare integer is a number of bytes. Decimal units (kB, MB, GB,
// TB) are powers of 1000, binary ones (KiB, MiB, GiB, TiB) powers of 1024.
type ByteSize int64

// Byte sizes.
const (
	Byte ByteSize = 1
	KB   ByteSize = 1000
	MB            = 1000 * KB
	GB            = 1000 * MB
	TB            = 1000 * GB
	KiB  ByteSize = 1 << 10
	MiB  ByteSize = 1 << 20
	GiB  ByteSize = 1 << 30
	TiB  ByteSize = 1 << 40
)

// byteUnits are the units MarshalText may write, largest first, so that it
// picks the shortest exact spelling.
var byteUnits = []struct {
	name string
	size ByteSize
}{
	{"TiB", TiB}, {"TB", TB}, {"GiB", GiB}, {"GB", GB},
	{"MiB", MiB}, {"MB", MB}, {"KiB", KiB}, {"kB", KB},
}

// byteUnitsIn maps every accepted unit spelling to its size.
var byteUnitsIn = map[string]ByteSize{
	"": Byte, "B": Byte,
	"kB": KB, "KB": KB, "MB": MB, "GB": GB, "TB": TB,
	"KiB": KiB, "MiB": MiB, "GiB": GiB, "TiB": TiB,
}

// Bytes returns the size as an int64.
func (s ByteSize) Bytes() int64 { return int64(s) }

// String writes the size with the largest unit that divides it exactly, as
// "4KiB", "1MB" or "1500B", so that it reads back to the same value.
func (s ByteSize) String() string {
	if s != 0 {
		for _, u := range byteUnits {
			if s%u.size == 0 {
				return strconv.FormatInt(int64(s/u.size), 10) + u.name
			}
		}
	}
	return strconv.FormatInt(int64(s), 10) + "B"
}

// MarshalText writes the size as String does.
func (s ByteSize) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a number (decimals allowed) and an optional unit, B,
// kB, MB, GB, TB, KiB, MiB, GiB or TiB. The result must be a whole number
// of bytes from 0 to 2^63-1: "1.5KiB" is 1536 bytes, "0.5B" is refused.
func (s *ByteSize) UnmarshalText(b []byte) error {
	text := strings.TrimSpace(string(b))
	i := strings.IndexFunc(text, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(text)
	}
	num, unit := text[:i], strings.TrimSpace(text[i:])
	if strings.HasPrefix(text, "-") {
		return fmt.Errorf("%q is negative; a size is 0 or more, such as 4KiB", text)
	}
	if len(num) > 40 {
		return fmt.Errorf("%q is too large; the largest size is 8EiB minus one byte", text)
	}
	// Exact rational arithmetic: float64 would round 1.1MB, and a byte
	// count must come out exact or be refused.
	r, ok := new(big.Rat).SetString(num)
	if num == "" || !ok {
		return fmt.Errorf("%q is not a size; write a number of bytes with a unit, such as 512B, 4KiB or 1.5MiB", text)
	}
	per, ok := byteUnitsIn[unit]
	if !ok {
		return fmt.Errorf("%q has an unknown unit %q; use B, kB, MB, GB, TB, KiB, MiB, GiB or TiB, such as 4KiB", text, unit)
	}
	r.Mul(r, new(big.Rat).SetInt64(int64(per)))
	if !r.IsInt() {
		return fmt.Errorf("%q is not a whole number of bytes", text)
	}
	n := r.Num()
	if !n.IsInt64() {
		return fmt.Errorf("%q is too large; the largest size is 8EiB minus one byte", text)
	}
	*s = ByteSize(n.Int64())
	return nil
}
