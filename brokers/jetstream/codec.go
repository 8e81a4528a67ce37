package jetstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// A message's body: what a consumer needs to find the call again in the
// table of messages in flight. Version 1 is 21 bytes: the version, the
// operation's sequence number, the call's index and the intended start in
// Unix nanoseconds, big-endian.
const (
	codecVersion = 1
	bodySize     = 1 + 8 + 4 + 8
)

// errBody is the error of a body that is not one of fanbench's.
var errBody = errors.New("not a fanbench message body")

// appendBody appends the body of call of operation seq to b.
func appendBody(b []byte, seq uint64, call int, intended time.Time) []byte {
	b = append(b, codecVersion)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = binary.BigEndian.AppendUint32(b, uint32(call))
	return binary.BigEndian.AppendUint64(b, uint64(intended.UnixNano()))
}

// parseBody reads a body written by appendBody.
func parseBody(b []byte) (seq uint64, call int, intended time.Time, err error) {
	if len(b) != bodySize || b[0] != codecVersion {
		return 0, 0, time.Time{}, fmt.Errorf("%w: %d bytes, version %d", errBody, len(b), firstByte(b))
	}
	seq = binary.BigEndian.Uint64(b[1:9])
	c := binary.BigEndian.Uint32(b[9:13])
	if c > 1<<20 {
		return 0, 0, time.Time{}, fmt.Errorf("%w: call index %d", errBody, c)
	}
	return seq, int(c), time.Unix(0, int64(binary.BigEndian.Uint64(b[13:21]))), nil
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}
