package resp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadValue(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"+OK\r\n", "+OK"},
		{"+\r\n", "+"},
		{"+a\rb\r\n", "+a\rb"},
		{"-ERR unknown command\r\n", "(error) ERR unknown command"},
		{":0\r\n", "0"},
		{":-42\r\n", "-42"},
		{":9223372036854775807\r\n", "9223372036854775807"},
		{"$2\r\nhi\r\n", `"hi"`},
		{"$0\r\n\r\n", `""`},
		{"$4\r\na\r\nb\r\n", `"a\r\nb"`},
		{"$-1\r\n", "(nil)"},
		{"*-1\r\n", "(nil array)"},
		{"*0\r\n", "[]"},
		{"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", `["message","ch","hi"]`},
		{"*2\r\n*1\r\n:1\r\n$-1\r\n", "[[1],(nil)]"},
		{"_\r\n", "(null)"},
		{"#t\r\n", "true"},
		{"#f\r\n", "false"},
		{",3.14\r\n", "(double) 3.14"},
		{",-inf\r\n", "(double) -inf"},
		{"(3492890328409238509324850943850943825024385\r\n", "(bignum) 3492890328409238509324850943850943825024385"},
		{"!21\r\nSYNTAX invalid syntax\r\n", "(blob error) SYNTAX invalid syntax"},
		{"=15\r\ntxt:Some string\r\n", `(verbatim) "txt:Some string"`},
		{"%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", "{+first:1,+second:2}"},
		{"%0\r\n", "{}"},
		{"~2\r\n+a\r\n+b\r\n", "set~[+a,+b]"},
		{">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", `push>["message","ch","hi"]`},
		{"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n",
			`|{+key-popularity:{"a":(double) 0.19}} [2]`},
		{"*2\r\n|1\r\n+ttl\r\n:3600\r\n+v\r\n:1\r\n", "[|{+ttl:3600} +v,1]"},
		{"|0\r\n:1\r\n", "|{} 1"},
	} {
		r := bufio.NewReader(strings.NewReader(tc.in + "+NEXT\r\n"))
		v, err := ReadValue(r)
		if err != nil {
			t.Errorf("ReadValue(%q): %v", tc.in, err)
			continue
		}
		if got := v.String(); got != tc.want {
			t.Errorf("ReadValue(%q).String() = %s, want %s", tc.in, got, tc.want)
		}
		if got := string(v.Bytes()); got != tc.in {
			t.Errorf("ReadValue(%q).Bytes() = %q", tc.in, got)
		}
		if next, err := ReadValue(r); err != nil || next.String() != "+NEXT" {
			t.Errorf("after %q the next value is %v, %v", tc.in, next, err)
		}
	}
}

func TestReadValueErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error // nil: any *ReplyError
	}{
		{"", io.EOF},
		{"+OK", io.ErrUnexpectedEOF},
		{"+OK\r", io.ErrUnexpectedEOF},
		{"$5\r\nhel", io.ErrUnexpectedEOF},
		{"*2\r\n:1\r\n", io.ErrUnexpectedEOF},
		{"|1\r\n+a\r\n+b\r\n", io.ErrUnexpectedEOF},
		{"+OK\n", nil},
		{"?\r\n", nil},
		{":+1\r\n", nil},
		{":01\r\n", nil},
		{":1.5\r\n", nil},
		{":\r\n", nil},
		{"$-2\r\n", nil},
		{"$03\r\nabc\r\n", nil},
		{"$3\r\nabcXY", nil},
		{"$536870913\r\n", nil},
		{"$99999999999999999999\r\n", nil},
		{"*-2\r\n", nil},
		{"%-1\r\n", nil},
		{"~-1\r\n", nil},
		{"!-1\r\n", nil},
		{"_x\r\n", nil},
		{"#x\r\n", nil},
		{",\r\n", nil},
		{"=3\r\ntxt\r\n", nil},
		{"$?\r\n", nil},
		{"|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n:1\r\n", nil},
		{strings.Repeat("*1\r\n", maxReplyDepth+2) + ":1\r\n", nil},
	} {
		_, err := ReadValue(bufio.NewReader(strings.NewReader(tc.in)))
		var rerr *ReplyError
		switch {
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("ReadValue(%q) = %v, want %v", tc.in, err, tc.want)
		case tc.want == nil && !errors.As(err, &rerr):
			t.Errorf("ReadValue(%q) = %v, want a *ReplyError", tc.in, err)
		}
	}
}

// TestReadValueLargeBulk reads a bulk string larger than the reader's buffer
// and the first read chunk.
func TestReadValueLargeBulk(t *testing.T) {
	body := strings.Repeat("0123456789", 100_000)
	in := "$1000000\r\n" + body + "\r\n"
	v, err := ReadValue(bufio.NewReaderSize(strings.NewReader(in), 16))
	if err != nil || v.Str != body {
		t.Fatalf("ReadValue: %v (%d bytes)", err, len(v.Str))
	}
	long := "+" + strings.Repeat("x", 10_000) + "\r\n"
	v, err = ReadValue(bufio.NewReaderSize(strings.NewReader(long), 16))
	if err != nil || string(v.Bytes()) != long {
		t.Fatalf("ReadValue of a long line: %v", err)
	}
}

func TestValueStringOfHandBuiltValues(t *testing.T) {
	v := Value{Kind: '*', Elems: []Value{
		{Kind: '$', Str: "subscribe"}, {Kind: '$', Str: "ch"}, {Kind: ':', Int: 1},
	}}
	if got, want := v.String(), `["subscribe","ch",1]`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	if got, want := string(v.Bytes()), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"; got != want {
		t.Errorf("Bytes() = %q, want %q", got, want)
	}
}

// FuzzReadValue requires that ReadValue never panics and that whatever it
// accepts, Bytes gives back byte for byte.
func FuzzReadValue(f *testing.F) {
	for _, s := range []string{
		"+OK\r\n", "-ERR x\r\n", ":1\r\n", "$2\r\nhi\r\n", "$-1\r\n", "*-1\r\n",
		"*2\r\n$1\r\na\r\n:2\r\n", "_\r\n", "#t\r\n", ",1.5\r\n", "(123\r\n", "!3\r\nERR\r\n",
		"=7\r\ntxt:abc\r\n", "%1\r\n+k\r\n+v\r\n", "~1\r\n+a\r\n", ">2\r\n+a\r\n+b\r\n",
		"|1\r\n+a\r\n+b\r\n:1\r\n", "$536870912\r\n", "*100000000\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		src := bytes.NewReader(in)
		r := bufio.NewReader(src)
		v, err := ReadValue(r)
		if err != nil {
			return
		}
		consumed := len(in) - src.Len() - r.Buffered()
		if got := v.Bytes(); !bytes.Equal(got, in[:consumed]) {
			t.Fatalf("read %q, Bytes() = %q", in[:consumed], got)
		}
		_ = v.String()
	})
}
