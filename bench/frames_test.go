package main

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// sampleStream is a mix of what subscribers and publishers receive.
func sampleStream() ([]byte, []frame) {
	var b []byte
	var want []frame
	add := func(s string, f frame) { b = append(b, s...); want = append(want, f) }
	add("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", frame{kind: '*', num: 3, last: []byte("ch")})
	add("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n", frame{kind: '*', num: 3, last: []byte("hello")})
	add("*4\r\n$8\r\npmessage\r\n$3\r\nc:*\r\n$3\r\nc:x\r\n$0\r\n\r\n", frame{kind: '*', num: 4, last: []byte{}})
	add(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$4\r\na\r\nb\r\n", frame{kind: '>', num: 3, last: []byte("a\r\nb")})
	add(":42\r\n", frame{kind: ':', num: 42})
	add(":-7\r\n", frame{kind: ':', num: -7})
	add("+PONG\r\n", frame{kind: '+', last: []byte("PONG")})
	add("-ERR unknown\r\n", frame{kind: '-', last: []byte("ERR unknown")})
	add("$-1\r\n", frame{kind: '$'})
	add("*2\r\n*1\r\n:1\r\n$1\r\nz\r\n", frame{kind: '*', num: 2, last: []byte("z")})
	return b, want
}

// equalFrame compares frames, treating nil and empty last alike.
func equalFrame(a, b frame) bool {
	return a.kind == b.kind && a.num == b.num && bytes.Equal(a.last, b.last)
}

func TestParseFrameNeedsWholeFrame(t *testing.T) {
	stream, want := sampleStream()
	pos := 0
	for i, w := range want {
		// Every proper prefix of the frame is incomplete, not an error.
		n, _, err := parseFrame(stream[pos:])
		if err != nil || n == 0 {
			t.Fatalf("frame %d: n=%d err=%v", i, n, err)
		}
		for cut := pos; cut < pos+n; cut++ {
			if m, _, err := parseFrame(stream[pos:cut]); m != 0 || err != nil {
				t.Fatalf("frame %d cut at %d: n=%d err=%v, want incomplete", i, cut-pos, m, err)
			}
		}
		_, got, _ := parseFrame(stream[pos:])
		if !equalFrame(got, w) {
			t.Errorf("frame %d = %+v, want %+v", i, got, w)
		}
		pos += n
	}
	if pos != len(stream) {
		t.Errorf("parsed %d of %d bytes", pos, len(stream))
	}
}

func TestParseFrameRejectsGarbage(t *testing.T) {
	for _, in := range []string{"hello\r\n", ":12x\r\n", "$3\r\nabcd\r\n", "*1\n", ":\r\n"} {
		if _, _, err := parseFrame([]byte(in)); !errors.Is(err, errMalformed) {
			t.Errorf("parseFrame(%q) err = %v, want errMalformed", in, err)
		}
	}
}

func TestFrameReaderOneByteAtATime(t *testing.T) {
	stream, want := sampleStream()
	// A buffer smaller than most frames forces compaction and growth.
	fr := newFrameReader(iotest.OneByteReader(bytes.NewReader(stream)), 8)
	for i, w := range want {
		got, err := fr.next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !equalFrame(got, w) {
			t.Errorf("frame %d = %+v, want %+v", i, got, w)
		}
	}
	if _, err := fr.next(); err != io.EOF {
		t.Errorf("after the last frame: err = %v, want EOF", err)
	}
}

func TestFastCounterCountsEveryFrame(t *testing.T) {
	const channel, size = "bench:fanout", 300
	payload := makePayload(size)
	var stream []byte
	frames := 0
	for i := range 50 {
		stream = append(stream, messageHeader(channel, size)...)
		stream = append(stream, payload...)
		stream = append(stream, "\r\n"...)
		frames++
		if i%7 == 0 { // an odd frame out takes the slow path
			stream = append(stream, "*3\r\n$7\r\nmessage\r\n$1\r\nx\r\n$1\r\ny\r\n"...)
			frames++
		}
	}
	counter := newFastCounter(messageHeader(channel, size), size)
	for _, chunk := range []int{1, 5, 299, 333, 4096} {
		fr := newFrameReader(iotest.OneByteReader(bytes.NewReader(stream)), chunk)
		var total int64
		for {
			n, err := counter.count(fr)
			if err != nil {
				t.Fatal(err)
			}
			total += n
			if err := fr.fill(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if total != int64(frames) {
			t.Errorf("buffer %d: counted %d frames, want %d", chunk, total, frames)
		}
	}
}

func TestAppendCommand(t *testing.T) {
	got := string(appendCommandStrings(nil, "PUBLISH", "ch", ""))
	want := "*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$0\r\n\r\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
