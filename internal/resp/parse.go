package resp

import "bytes"

// Redis's defaults for Limits.
const (
	defaultMaxBulkLen = 512 << 20 // proto-max-bulk-len
	defaultMaxInline  = 64 << 10  // PROTO_INLINE_MAX_SIZE
	defaultMaxArgs    = 1<<31 - 1 // INT_MAX

	// Before a client has authenticated Redis allows at most this many
	// arguments, each at most unauthMaxBulkLen bytes long.
	unauthMaxArgs    = 10
	unauthMaxBulkLen = 16384

	// maxKeptOffsets bounds the argument offsets a Parser keeps for reuse
	// after a command with very many arguments, so that an idle connection
	// does not keep a large slice alive.
	maxKeptOffsets = 64
)

// Limits bound what a client may send. Zero values mean the Redis default.
type Limits struct {
	MaxBulkLen int64 // proto-max-bulk-len; zero means 512 MB
	MaxInline  int   // longest inline command / count line; zero means 64 KB (PROTO_INLINE_MAX_SIZE)
	MaxArgs    int   // most arguments in one multibulk; zero means Redis's INT_MAX
}

func (l *Limits) maxBulkLen() int64 {
	if l.MaxBulkLen <= 0 {
		return defaultMaxBulkLen
	}
	return l.MaxBulkLen
}

func (l *Limits) maxInline() int {
	if l.MaxInline <= 0 {
		return defaultMaxInline
	}
	return l.MaxInline
}

func (l *Limits) maxArgs() int64 {
	if l.MaxArgs <= 0 {
		return defaultMaxArgs
	}
	return int64(l.MaxArgs)
}

// parseState says what the Parser waits for.
type parseState uint8

const (
	stateIdle     parseState = iota // between commands
	stateInline                     // the newline ending an inline command
	stateCount                      // the CR ending the "*<count>" line
	stateBulkLen                    // the CR ending a "$<len>" line
	stateBulkData                   // the bytes of a bulk argument and its CRLF
)

// Parser reads commands from a client's query buffer. It keeps state between
// calls so a large command arriving in pieces is not re-parsed from the start
// each time.
//
// It follows Redis 7.0's processInlineBuffer and processMultibulkBuffer
// (src/networking.c) byte for byte, with one deliberate difference: Redis
// checks the length of a line only when it has not yet found the line's end,
// so what it accepts depends on how the bytes were split into reads. The
// Parser rejects a line as too long whenever some split would have made Redis
// reject it, so its result never depends on how buf grew.
//
// A Parser's zero value is ready to use. It belongs to one connection and is
// not safe for concurrent use.
type Parser struct {
	Limits          Limits
	Unauthenticated bool // apply Redis's limits for clients that have not authenticated

	state     parseState
	pos       int   // offset in buf of the line or bulk being read
	scanned   int   // buf[pos:scanned] holds no line end (and no NUL, unless buf[scanned] is one)
	remaining int   // multibulk elements still to read, the current one included
	bulkLen   int64 // length of the bulk being read
	need      int   // see Need
	offsets   []int // start and end in buf of the arguments read so far
}

// Parse parses the next command at the start of buf.
//
// Complete command: it returns the command's arguments appended to args[:0]
// (multibulk arguments alias buf, inline ones alias it or are freshly
// allocated), n = bytes consumed, err = nil. A command with zero arguments
// (an empty inline line, "*0\r\n", "*-1\r\n") returns no arguments with n > 0:
// the caller skips it, as Redis does.
//
// Incomplete: n == 0, err == nil. The caller reads more and calls again with
// the same buffer start (buf grows by appending). Need then reports how many
// bytes buf must hold before parsing can make progress.
//
// Protocol error: err is a *ProtocolError whose Error() is Redis's reply text;
// the caller writes it and closes the connection, as Redis does. The Parser is
// left reset.
func (p *Parser) Parse(buf []byte, args [][]byte) (out [][]byte, n int, err error) {
	out = args[:0]
	p.need = 0
	if p.state != stateIdle && max(p.pos, p.scanned) > len(buf) {
		// The caller broke the contract and passed less than before.
		p.Reset()
	}
	switch p.state {
	case stateIdle:
		if len(buf) == 0 {
			return out, 0, nil
		}
		p.pos, p.scanned = 0, 0
		if buf[0] != '*' {
			p.state = stateInline
			return p.parseInline(buf, out)
		}
		p.state = stateCount
		return p.parseMultibulk(buf, out)
	case stateInline:
		return p.parseInline(buf, out)
	default:
		return p.parseMultibulk(buf, out)
	}
}

// Need reports how many bytes the buffer passed to the last incomplete Parse
// must hold in total before parsing can make progress, or 0 if that is not
// known (the parser waits for the end of a line).
func (p *Parser) Need() int { return p.need }

// Reset forgets a partly parsed command, as when its connection's query
// buffer is discarded.
func (p *Parser) Reset() {
	p.state = stateIdle
	p.pos, p.scanned, p.remaining, p.bulkLen, p.need = 0, 0, 0, 0, 0
	p.resetOffsets()
}

func (p *Parser) resetOffsets() {
	if cap(p.offsets) > maxKeptOffsets {
		p.offsets = nil
	}
	p.offsets = p.offsets[:0]
}

// done ends the command that ends at buf[n] and returns its result.
func (p *Parser) done(out [][]byte, n int) ([][]byte, int, error) {
	p.state = stateIdle
	p.pos, p.scanned, p.remaining = 0, 0, 0
	p.resetOffsets()
	return out, n, nil
}

// fail ends parsing with a protocol error.
func (p *Parser) fail(out [][]byte, err *ProtocolError) ([][]byte, int, error) {
	p.Reset()
	return out, 0, err
}

// findLineEnd looks for the byte end in buf[p.pos:] the way Redis's strchr
// does: the search stops at a NUL byte, and a line whose end lies beyond a
// NUL is never found. It returns the end's index, or -1. It resumes where the
// previous call on the same line stopped, and looks no further than
// maxLine+1 bytes from the line's start: a line that long is refused
// wherever it ends.
func (p *Parser) findLineEnd(buf []byte, end byte, maxLine int) int {
	from := max(p.scanned, p.pos)
	limit := len(buf)
	if maxLine < limit-p.pos {
		limit = p.pos + maxLine + 1
	}
	if end == '\r' {
		// A "*<count>" or "$<len>" line: short, so a plain loop beats
		// two calls to bytes.IndexByte.
		for i := from; i < limit; i++ {
			switch buf[i] {
			case '\r':
				p.scanned = i
				return i
			case 0:
				p.scanned = i
				return -1
			}
		}
		p.scanned = max(from, limit)
		return -1
	}
	if from < limit && buf[from] == 0 {
		return -1 // stuck on a NUL for good
	}
	if from >= limit {
		return -1
	}
	rest := buf[from:limit]
	i := bytes.IndexByte(rest, end)
	if i < 0 {
		i = len(rest)
	}
	if z := bytes.IndexByte(rest[:i], 0); z >= 0 {
		p.scanned = from + z
		return -1
	}
	p.scanned = from + i
	if i == len(rest) {
		return -1
	}
	return from + i
}

// parseInline parses an inline command: one line ending at '\n', an optional
// '\r' before it stripped, split into arguments as sdssplitargs does.
//
// Like every line, it is refused as too big once more than maxLine bytes
// have come without its end, and also when its end came after that many
// (findLineEnd does not look that far).
func (p *Parser) parseInline(buf []byte, out [][]byte) ([][]byte, int, error) {
	maxLine := p.Limits.maxInline()
	newline := p.findLineEnd(buf, '\n', maxLine)
	if newline < 0 {
		if len(buf) > maxLine {
			return p.fail(out, errTooBigInline)
		}
		return out, 0, nil
	}
	end := newline
	if end > 0 && buf[end-1] == '\r' {
		end--
	}
	out, ok := splitArgs(buf[:end], out)
	if !ok {
		return p.fail(out[:0], errUnbalancedQuotes)
	}
	return p.done(out, newline+1)
}

// parseMultibulk parses a "*<count>\r\n" command of "$<len>\r\n<bytes>\r\n"
// elements, resuming where the previous call stopped.
//
// Like Redis it takes the two bytes after a CR, and after a bulk's bytes, as
// the line end without looking at them.
func (p *Parser) parseMultibulk(buf []byte, out [][]byte) ([][]byte, int, error) {
	maxLine := p.Limits.maxInline()
	if p.state == stateCount {
		cr := p.findLineEnd(buf, '\r', maxLine)
		if cr < 0 {
			if len(buf)-p.pos > maxLine {
				return p.fail(out, errTooBigMultibulkCount)
			}
			return out, 0, nil
		}
		if cr+1 >= len(buf) {
			p.need = cr + 2
			return out, 0, nil
		}
		count, ok := parseInteger(buf[p.pos+1 : cr])
		if !ok || count > p.Limits.maxArgs() {
			return p.fail(out, errInvalidMultibulkLen)
		}
		if count > unauthMaxArgs && p.Unauthenticated {
			return p.fail(out, errUnauthMultibulkLen)
		}
		if count <= 0 {
			return p.done(out, cr+2)
		}
		p.remaining = int(count)
		p.pos, p.scanned = cr+2, cr+2
		p.state = stateBulkLen
	} else {
		for i := 0; i < len(p.offsets); i += 2 {
			out = append(out, buf[p.offsets[i]:p.offsets[i+1]:p.offsets[i+1]])
		}
	}
	maxBulk := p.Limits.maxBulkLen()
	for p.remaining > 0 {
		if p.state == stateBulkLen {
			cr := p.findLineEnd(buf, '\r', maxLine)
			if cr < 0 {
				if len(buf)-p.pos > maxLine {
					return p.fail(out[:0], errTooBigBulkCount)
				}
				return out[:0], 0, nil
			}
			if cr+1 >= len(buf) {
				p.need = cr + 2
				return out[:0], 0, nil
			}
			if buf[p.pos] != '$' {
				return p.fail(out[:0], errExpectedDollar(buf[p.pos]))
			}
			size, ok := parseInteger(buf[p.pos+1 : cr])
			if !ok || size < 0 || size > maxBulk {
				return p.fail(out[:0], errInvalidBulkLen)
			}
			if size > unauthMaxBulkLen && p.Unauthenticated {
				return p.fail(out[:0], errUnauthBulkLen)
			}
			p.bulkLen = size
			p.pos = cr + 2
			p.state = stateBulkData
		}
		if int64(len(buf)-p.pos)-2 < p.bulkLen {
			p.need = needTotal(p.pos, p.bulkLen)
			return out[:0], 0, nil
		}
		start, end := p.pos, p.pos+int(p.bulkLen)
		out = append(out, buf[start:end:end])
		p.offsets = append(p.offsets, start, end)
		p.remaining--
		p.pos, p.scanned = end+2, end+2
		p.state = stateBulkLen
	}
	return p.done(out, p.pos)
}

// needTotal is pos+size+2 (a bulk and its CRLF), clamped to the largest int.
func needTotal(pos int, size int64) int {
	const maxInt = int64(^uint(0) >> 1)
	if size > maxInt-2-int64(pos) {
		return int(maxInt)
	}
	return pos + int(size) + 2
}

// parseInteger parses s as Redis's string2ll does (src/util.c): an optional
// '-', then digits without leading zeros ("0" alone is fine), fewer than 21
// bytes, within int64. No '+', no spaces, no "-0".
func parseInteger(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) >= 21 {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	negative := false
	if s[0] == '-' {
		negative = true
		s = s[1:]
		if len(s) == 0 {
			return 0, false
		}
	}
	if s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1)/10 || v*10 > 1<<64-1-d {
			return 0, false
		}
		v = v*10 + d
	}
	if negative {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true // -(1<<63) wraps to itself, as it should
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// SplitArgs splits line into arguments as Redis's sdssplitargs, which the
// inline protocol, ACL selectors and ACL files use: blanks separate, double
// quotes (with \ escapes and \xHH) and single quotes group. ok is false
// for unbalanced quotes or a closing quote followed by something else than
// a blank. Arguments without quotes alias line.
func SplitArgs(line []byte) (args [][]byte, ok bool) {
	return splitArgs(line, nil)
}

// splitArgs splits an inline command line into arguments exactly as Redis's
// sdssplitargs (src/sds.c) does, appending them to out. It reports false for
// unbalanced quotes, or a closing quote followed by something other than a
// space. line holds no NUL byte (the line search stops at one), so its end
// plays the part of the C string's terminator.
//
// Arguments without quotes alias line; the others are freshly allocated.
//
// Outside quotes an argument ends at ' ', '\n', '\r' or '\t', while blanks
// between arguments are every isspace byte, '\v' and '\f' included. A quote
// inside an argument opens a quoted part of it: a"b c"d is not valid, but
// a"b c" is the one argument `ab c`. In double quotes \n \r \t \b \a and \xHH
// are escapes and a backslash takes the next byte literally; in single quotes
// only \' is an escape.
func splitArgs(line []byte, out [][]byte) ([][]byte, bool) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return out, true
		}
		start := i
		for i < len(line) && !endsPlainArg(line[i]) {
			i++
		}
		if i == len(line) || line[i] != '"' && line[i] != '\'' {
			out = append(out, line[start:i:i])
			if i < len(line) {
				i++ // the ' ', '\n', '\r' or '\t' that ended the argument
			}
			continue
		}
		// A quote: the argument is what came before it and the quoted text,
		// and it ends at the closing quote.
		arg := make([]byte, i-start, len(line)-start)
		copy(arg, line[start:i])
		var ok bool
		if line[i] == '"' {
			arg, i, ok = readDoubleQuoted(line, i+1, arg)
		} else {
			arg, i, ok = readSingleQuoted(line, i+1, arg)
		}
		if !ok {
			return out, false
		}
		out = append(out, arg)
	}
}

// readDoubleQuoted appends to arg the double-quoted text that starts at
// line[i] and returns the index after its closing quote.
func readDoubleQuoted(line []byte, i int, arg []byte) ([]byte, int, bool) {
	for {
		c := byteAt(line, i)
		switch {
		case c == '\\' && byteAt(line, i+1) == 'x' && isHexDigit(byteAt(line, i+2)) && isHexDigit(byteAt(line, i+3)):
			arg = append(arg, hexValue(line[i+2])<<4|hexValue(line[i+3]))
			i += 4
		case c == '\\' && byteAt(line, i+1) != 0:
			arg = append(arg, unescape(line[i+1]))
			i += 2
		case c == '"':
			return arg, i + 1, closesArg(byteAt(line, i+1))
		case c == 0:
			return arg, i, false // unterminated
		default:
			arg = append(arg, c)
			i++
		}
	}
}

// readSingleQuoted appends to arg the single-quoted text that starts at
// line[i] and returns the index after its closing quote.
func readSingleQuoted(line []byte, i int, arg []byte) ([]byte, int, bool) {
	for {
		c := byteAt(line, i)
		switch {
		case c == '\\' && byteAt(line, i+1) == '\'':
			arg = append(arg, '\'')
			i += 2
		case c == '\'':
			return arg, i + 1, closesArg(byteAt(line, i+1))
		case c == 0:
			return arg, i, false // unterminated
		default:
			arg = append(arg, c)
			i++
		}
	}
}

// byteAt is line[i], or the NUL that terminates the line in C.
func byteAt(line []byte, i int) byte {
	if i < len(line) {
		return line[i]
	}
	return 0
}

// endsPlainArg reports whether c ends an argument outside quotes, or starts
// a quoted part of it.
func endsPlainArg(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '"' || c == '\''
}

// closesArg reports whether a closing quote may be followed by c: only a
// space or the end of the line.
func closesArg(c byte) bool {
	return c == 0 || isSpace(c)
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexValue(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	default:
		return c - '0'
	}
}

// unescape is the byte a backslash escape in double quotes stands for.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
