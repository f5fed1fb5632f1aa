package aof

import (
	"bytes"
	"fmt"
	"strconv"
)

// MaxArgs and MaxBulkLen bound a record: the most arguments of one
// command and the longest argument (Redis's proto-max-bulk-len default).
const (
	MaxArgs    = 1 << 30
	MaxBulkLen = 512 << 20
)

// TruncatedError says a file ends in the middle of a record (a crash
// while it was written): the records before Offset are whole.
type TruncatedError struct {
	File   string
	Offset int64 // where the torn record starts
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("unexpected end of file %s at offset %d", e.File, e.Offset)
}

// CorruptError says a record is not valid RESP.
type CorruptError struct {
	File   string
	Offset int64 // where the bad record starts
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("bad file format reading the append only file %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Parse reads the records of one AOF file's content, calling fn with each
// command's arguments (aliasing data) and the offset where its record
// starts; an error from fn stops it and is returned. A record cut off by
// the end of data gives a *TruncatedError, a malformed one a
// *CorruptError; file names the file in both.
func Parse(file string, data []byte, fn func(args [][]byte, offset int64) error) error {
	var args [][]byte
	pos := 0
	for pos < len(data) {
		start := pos
		truncated := func() error { return &TruncatedError{File: file, Offset: int64(start)} }
		corrupt := func(reason string) error {
			return &CorruptError{File: file, Offset: int64(start), Reason: reason}
		}
		if data[pos] != '*' {
			return corrupt("expected '*'")
		}
		n, next, err := parseLen(data, pos+1, MaxArgs)
		switch {
		case err == errShort:
			return truncated()
		case err != nil:
			return corrupt("bad argument count")
		case n < 1:
			return corrupt("bad argument count")
		}
		pos = next
		args = args[:0]
		for i := int64(0); i < n; i++ {
			if pos >= len(data) {
				return truncated()
			}
			if data[pos] != '$' {
				return corrupt("expected '$'")
			}
			l, next, err := parseLen(data, pos+1, MaxBulkLen)
			switch {
			case err == errShort:
				return truncated()
			case err != nil || l < 0:
				return corrupt("bad bulk length")
			}
			pos = next
			if int64(len(data)-pos) < l+2 {
				return truncated()
			}
			end := pos + int(l)
			if data[end] != '\r' || data[end+1] != '\n' {
				return corrupt("bulk string not followed by CRLF")
			}
			args = append(args, data[pos:end:end])
			pos = end + 2
		}
		if err := fn(args, int64(start)); err != nil {
			return err
		}
	}
	return nil
}

var (
	errShort = fmt.Errorf("short")
	errBad   = fmt.Errorf("bad")
)

// parseLen reads a decimal number ended by CRLF from data[pos:] and
// returns it and the position after the CRLF.
func parseLen(data []byte, pos int, limit int64) (int64, int, error) {
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		if len(data)-pos > 32 {
			return 0, 0, errBad
		}
		return 0, 0, errShort
	}
	line := data[pos : pos+i]
	if len(line) == 0 || line[len(line)-1] != '\r' {
		return 0, 0, errBad
	}
	n, err := strconv.ParseInt(string(line[:len(line)-1]), 10, 64)
	if err != nil || n > limit {
		return 0, 0, errBad
	}
	return n, pos + i + 1, nil
}

// AppendCommand appends args to b as one record: an array of bulk
// strings.
func AppendCommand(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}
