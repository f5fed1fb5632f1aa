package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Bounds on what ReadValue accepts, so that a broken or hostile stream cannot
// make it allocate without end.
const (
	maxReplyLen   = 512 << 20 // longest bulk string, line, or aggregate count
	maxReplyDepth = 128       // deepest nesting of aggregates and attributes
)

// Value is one RESP2 or RESP3 reply.
//
// Kind is the reply's type byte: '+' simple string, '-' error, ':' integer,
// '$' bulk string, '*' array, '_' null, '#' boolean, ',' double, '(' big
// number, '!' blob error, '=' verbatim string, '%' map, '~' set, '>' push.
// An attribute ('|') is not a Value of its own: it is kept in Attrs of the
// value it precedes.
type Value struct {
	Kind  byte    // the type byte; a RESP2 null bulk or null array keeps '$' or '*' with Null set
	Str   string  // simple, error, bulk, blob error, big number text; a double as text; a verbatim string with its "txt:" prefix
	Int   int64   // an integer; a boolean as 1 or 0
	Null  bool    // '_', or a RESP2 null bulk string ($-1) or null array (*-1)
	Elems []Value // array, set and push elements; a map as key, value, key, value...
	Attrs []Value // the RESP3 attribute preceding this value, as key, value, ...
}

// ReplyError is returned by ReadValue for a stream that is not valid RESP.
type ReplyError struct{ Msg string }

func (e *ReplyError) Error() string { return "resp: " + e.Msg }

func replyErrorf(format string, args ...any) error {
	return &ReplyError{fmt.Sprintf(format, args...)}
}

// ReadValue reads one complete reply. It returns io.EOF if the stream ends
// before the reply starts, io.ErrUnexpectedEOF if it ends inside one, and a
// *ReplyError for bytes that are not RESP2 or RESP3 as Redis writes them:
// lines must end in CRLF and integers and lengths must be written as Redis
// writes them (no '+', no leading zeros), so Bytes gives back the bytes read.
// Streamed strings and aggregates ("$?"), which Redis never sends, are not
// supported.
func ReadValue(r *bufio.Reader) (Value, error) {
	return readValue(r, 0)
}

func readValue(r *bufio.Reader, depth int) (Value, error) {
	if depth > maxReplyDepth {
		return Value{}, replyErrorf("replies nested deeper than %d", maxReplyDepth)
	}
	kind, err := r.ReadByte()
	if err != nil {
		return Value{}, err // io.EOF before a reply starts stays io.EOF
	}
	line, err := readLine(r)
	if err != nil {
		return Value{}, err
	}
	v := Value{Kind: kind}
	switch kind {
	case '+', '-', '(':
		v.Str = line
	case ',':
		v.Str = line
		if line == "" {
			return Value{}, replyErrorf("empty double")
		}
	case ':':
		n, ok := parseInteger([]byte(line))
		if !ok {
			return Value{}, replyErrorf("invalid integer %q", line)
		}
		v.Int = n
	case '_':
		if line != "" {
			return Value{}, replyErrorf("invalid null %q", line)
		}
		v.Null = true
	case '#':
		switch line {
		case "t":
			v.Int = 1
		case "f":
		default:
			return Value{}, replyErrorf("invalid boolean %q", line)
		}
	case '$', '!', '=':
		return readString(r, v, line)
	case '*', '~', '>', '%':
		return readAggregate(r, v, line, depth)
	case '|':
		return readAttribute(r, line, depth)
	default:
		return Value{}, replyErrorf("unknown reply type %q", kind)
	}
	return v, nil
}

// readLine reads the rest of a line and returns it without its CRLF.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		var long []byte
		long = append(long, line...)
		for err == bufio.ErrBufferFull && len(long) <= maxReplyLen {
			line, err = r.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err == bufio.ErrBufferFull {
			err = replyErrorf("line longer than %d bytes", maxReplyLen)
		}
		return "", err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", replyErrorf("line does not end in CRLF")
	}
	return string(line[:len(line)-2]), nil
}

// readLength parses the length or count after a type byte: -1 (returned as
// null) only where allowNull, else 0 to maxReplyLen.
func readLength(line string, allowNull bool) (n int, null bool, err error) {
	v, ok := parseInteger([]byte(line))
	switch {
	case !ok:
		return 0, false, replyErrorf("invalid length %q", line)
	case v == -1 && allowNull:
		return 0, true, nil
	case v < 0 || v > maxReplyLen:
		return 0, false, replyErrorf("length %d out of range", v)
	}
	return int(v), false, nil
}

// readString reads the body of a bulk string, blob error or verbatim string.
func readString(r *bufio.Reader, v Value, line string) (Value, error) {
	n, null, err := readLength(line, v.Kind == '$')
	if err != nil {
		return Value{}, err
	}
	if null {
		v.Null = true
		return v, nil
	}
	body, err := readFull(r, n+2)
	if err != nil {
		return Value{}, err
	}
	if body[n] != '\r' || body[n+1] != '\n' {
		return Value{}, replyErrorf("bulk string not followed by CRLF")
	}
	if v.Kind == '=' && (n < 4 || body[3] != ':') {
		return Value{}, replyErrorf("verbatim string without a format")
	}
	v.Str = string(body[:n])
	return v, nil
}

// readFull reads n bytes, growing its buffer as they arrive rather than
// trusting the announced length.
func readFull(r *bufio.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, 64<<10))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(n-len(buf), len(buf)))
		}
		m, err := io.ReadFull(r, buf[len(buf):min(n, cap(buf))])
		buf = buf[:len(buf)+m]
		if err != nil {
			return nil, unexpected(err)
		}
	}
	return buf, nil
}

// readAggregate reads the elements of an array, set, push or map.
func readAggregate(r *bufio.Reader, v Value, line string, depth int) (Value, error) {
	n, null, err := readLength(line, v.Kind == '*')
	if err != nil {
		return Value{}, err
	}
	if null {
		v.Null = true
		return v, nil
	}
	if v.Kind == '%' {
		if n > maxReplyLen/2 {
			return Value{}, replyErrorf("map of %d pairs", n)
		}
		n *= 2
	}
	v.Elems = make([]Value, 0, min(n, 64))
	for range n {
		elem, err := readValue(r, depth+1)
		if err != nil {
			return Value{}, unexpected(err)
		}
		v.Elems = append(v.Elems, elem)
	}
	return v, nil
}

// readAttribute reads an attribute and the value it belongs to.
func readAttribute(r *bufio.Reader, line string, depth int) (Value, error) {
	attr, err := readAggregate(r, Value{Kind: '%'}, line, depth)
	if err != nil {
		return Value{}, err
	}
	v, err := readValue(r, depth+1)
	if err != nil {
		return Value{}, unexpected(err)
	}
	if v.Attrs != nil {
		return Value{}, replyErrorf("two attributes before one value")
	}
	v.Attrs = attr.Elems
	if v.Attrs == nil {
		v.Attrs = []Value{}
	}
	return v, nil
}

// unexpected turns io.EOF inside a reply into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Bytes encodes v as RESP: for a value ReadValue returned, exactly the bytes
// it read.
func (v Value) Bytes() []byte {
	return v.AppendTo(nil)
}

// AppendTo appends the RESP encoding of v to b.
func (v Value) AppendTo(b []byte) []byte {
	if v.Attrs != nil {
		b = appendHeader(b, '|', len(v.Attrs)/2)
		for _, a := range v.Attrs {
			b = a.AppendTo(b)
		}
	}
	switch v.Kind {
	case '$', '*':
		if v.Null {
			return append(b, v.Kind, '-', '1', '\r', '\n')
		}
	case '_':
		return append(b, '_', '\r', '\n')
	}
	switch v.Kind {
	case ':':
		b = append(b, ':')
		b = strconv.AppendInt(b, v.Int, 10)
		return append(b, '\r', '\n')
	case '#':
		if v.Int != 0 {
			return append(b, '#', 't', '\r', '\n')
		}
		return append(b, '#', 'f', '\r', '\n')
	case '$', '!', '=':
		b = appendHeader(b, v.Kind, len(v.Str))
		b = append(b, v.Str...)
		return append(b, '\r', '\n')
	case '*', '~', '>', '%':
		n := len(v.Elems)
		if v.Kind == '%' {
			n /= 2
		}
		b = appendHeader(b, v.Kind, n)
		for _, e := range v.Elems {
			b = e.AppendTo(b)
		}
		return b
	default: // '+', '-', ',', '('
		b = append(b, v.Kind)
		b = append(b, v.Str...)
		return append(b, '\r', '\n')
	}
}

func appendHeader(b []byte, kind byte, n int) []byte {
	b = append(b, kind)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\r', '\n')
}

// String renders v compactly and deterministically for test output:
//
//	+OK                       simple string
//	(error) ERR wrong         error ('-'); a blob error is (blob error) ...
//	42                        integer
//	"hi\r\n"                  bulk string, Go-quoted
//	(nil) (nil array) (null)  $-1, *-1, and RESP3 null
//	true false                boolean
//	(double) 3.14             double; (bignum) 123 for a big number
//	(verbatim) "txt:hi"       verbatim string
//	["a",1]                   array; set~[...] and push>[...] for sets and pushes
//	{"k":"v"}                 map
//	|{"k":"v"} "x"            a value with an attribute
func (v Value) String() string {
	var sb strings.Builder
	v.render(&sb)
	return sb.String()
}

func (v Value) render(sb *strings.Builder) {
	if v.Attrs != nil {
		sb.WriteByte('|')
		renderPairs(sb, v.Attrs)
		sb.WriteByte(' ')
	}
	switch v.Kind {
	case '+':
		sb.WriteString("+" + v.Str)
	case '-':
		sb.WriteString("(error) " + v.Str)
	case '!':
		sb.WriteString("(blob error) " + v.Str)
	case ':':
		sb.WriteString(strconv.FormatInt(v.Int, 10))
	case '$':
		if v.Null {
			sb.WriteString("(nil)")
		} else {
			sb.WriteString(strconv.Quote(v.Str))
		}
	case '_':
		sb.WriteString("(null)")
	case '#':
		sb.WriteString(strconv.FormatBool(v.Int != 0))
	case ',':
		sb.WriteString("(double) " + v.Str)
	case '(':
		sb.WriteString("(bignum) " + v.Str)
	case '=':
		sb.WriteString("(verbatim) " + strconv.Quote(v.Str))
	case '*', '~', '>':
		v.renderList(sb)
	case '%':
		renderPairs(sb, v.Elems)
	default:
		fmt.Fprintf(sb, "(kind %q) %q", v.Kind, v.Str)
	}
}

func (v Value) renderList(sb *strings.Builder) {
	if v.Null {
		sb.WriteString("(nil array)")
		return
	}
	switch v.Kind {
	case '~':
		sb.WriteString("set~")
	case '>':
		sb.WriteString("push>")
	}
	sb.WriteByte('[')
	for i, e := range v.Elems {
		if i > 0 {
			sb.WriteByte(',')
		}
		e.render(sb)
	}
	sb.WriteByte(']')
}

func renderPairs(sb *strings.Builder, kv []Value) {
	sb.WriteByte('{')
	for i, e := range kv {
		switch {
		case i == 0:
		case i%2 == 1:
			sb.WriteByte(':')
		default:
			sb.WriteByte(',')
		}
		e.render(sb)
	}
	sb.WriteByte('}')
}
