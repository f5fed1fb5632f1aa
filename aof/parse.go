package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
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
// command's arguments and the offset where its record starts; an error
// from fn stops it and is returned. A record cut off by the end of data
// gives a *TruncatedError, a malformed one a *CorruptError; file names the
// file in both. The arguments are valid until fn returns.
func Parse(file string, data []byte, fn func(args [][]byte, offset int64) error) error {
	_, err := ParseReader(file, bytes.NewReader(data), fn)
	return err
}

// ParseReader is Parse reading a stream (buffered, unless r is a
// *bufio.Reader already): a file is replayed without being read whole
// into memory; a record is, its arguments valid until fn returns. It
// returns the length of the whole records read, the stream's length when
// the error is nil.
func ParseReader(file string, r io.Reader, fn func(args [][]byte, offset int64) error) (int64, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	p := recordReader{r: br}
	var args [][]byte
	for {
		start := p.pos
		truncated := func() error { return &TruncatedError{File: file, Offset: start} }
		corrupt := func(reason string) error {
			return &CorruptError{File: file, Offset: start, Reason: reason}
		}
		c, err := p.readByte()
		switch {
		case err == io.EOF:
			return start, nil
		case err != nil:
			return start, fmt.Errorf("can't read the AOF file %s at offset %d: %w", file, p.pos, err)
		case c != '*':
			return start, corrupt("expected '*'")
		}
		n, err := p.readLen(MaxArgs)
		switch {
		case err == errShort:
			return start, truncated()
		case err == errBad || err == nil && n < 1:
			return start, corrupt("bad argument count")
		case err != nil:
			return start, fmt.Errorf("can't read the AOF file %s at offset %d: %w", file, p.pos, err)
		}
		args = args[:0]
		p.arena = p.arena[:0]
		var ends []int // where each argument ends in arena: arena may move as it grows
		for i := int64(0); i < n; i++ {
			c, err := p.readByte()
			switch {
			case err == io.EOF:
				return start, truncated()
			case err != nil:
				return start, fmt.Errorf("can't read the AOF file %s at offset %d: %w", file, p.pos, err)
			case c != '$':
				return start, corrupt("expected '$'")
			}
			l, err := p.readLen(MaxBulkLen)
			switch {
			case err == errShort:
				return start, truncated()
			case err == errBad || err == nil && l < 0:
				return start, corrupt("bad bulk length")
			case err != nil:
				return start, fmt.Errorf("can't read the AOF file %s at offset %d: %w", file, p.pos, err)
			}
			switch err := p.readBulk(l); {
			case err == errShort:
				return start, truncated()
			case err == errBad:
				return start, corrupt("bulk string not followed by CRLF")
			case err != nil:
				return start, fmt.Errorf("can't read the AOF file %s at offset %d: %w", file, p.pos, err)
			}
			ends = append(ends, len(p.arena))
		}
		from := 0
		for _, end := range ends {
			args = append(args, p.arena[from:end:end])
			from = end
		}
		if err := fn(args, start); err != nil {
			return start, err
		}
		if cap(p.arena) > 1<<20 {
			p.arena = nil // a large record's memory is not kept for the rest
		}
	}
}

// recordReader reads the parts of records, counting the bytes read.
type recordReader struct {
	r     *bufio.Reader
	pos   int64  // bytes read
	arena []byte // the arguments of the record being read, one after the other
	line  []byte
}

var (
	errShort = errors.New("short")
	errBad   = errors.New("bad")
)

func (p *recordReader) readByte() (byte, error) {
	c, err := p.r.ReadByte()
	if err == nil {
		p.pos++
	}
	return c, err
}

// maxLenLine is the longest length line ("123\r\n" after '*' or '$')
// read: longer, it is malformed (an int64 has 19 digits).
const maxLenLine = 32

// readLen reads a decimal number ended by CRLF, at most limit: errShort
// if the stream ends first, errBad if it is not one, or another error of
// the reader.
func (p *recordReader) readLen(limit int64) (int64, error) {
	p.line = p.line[:0]
	for {
		c, err := p.readByte()
		if err == io.EOF {
			return 0, errShort
		}
		if err != nil {
			return 0, err
		}
		if c == '\n' {
			break
		}
		if len(p.line) == maxLenLine {
			return 0, errBad
		}
		p.line = append(p.line, c)
	}
	line := p.line
	if len(line) == 0 || line[len(line)-1] != '\r' {
		return 0, errBad
	}
	n, err := strconv.ParseInt(string(line[:len(line)-1]), 10, 64)
	if err != nil || n > limit {
		return 0, errBad
	}
	return n, nil
}

// readBulk appends l bytes and reads the CRLF after them: errShort if the
// stream ends first, errBad if no CRLF follows. The arena grows as the
// bytes come, not by l at once: a corrupt length claiming 512 MB at the
// end of a file costs what the file holds.
func (p *recordReader) readBulk(l int64) error {
	for l > 0 {
		chunk := int(min(l, 64<<10))
		p.arena = slices.Grow(p.arena, chunk)
		n, err := io.ReadFull(p.r, p.arena[len(p.arena):len(p.arena)+chunk])
		p.arena = p.arena[:len(p.arena)+n]
		p.pos += int64(n)
		l -= int64(n)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return errShort
		}
		if err != nil {
			return err
		}
	}
	var crlf [2]byte
	n, err := io.ReadFull(p.r, crlf[:])
	p.pos += int64(n)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return errShort
	case err != nil:
		return err
	case crlf != [2]byte{'\r', '\n'}:
		return errBad
	}
	return nil
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
