package keyspace

import (
	"math"
	"strconv"
	"testing"
)

func TestParseInt(t *testing.T) {
	good := map[string]int64{"0": 0, "1": 1, "-1": -1, "9223372036854775807": math.MaxInt64,
		"-9223372036854775808": math.MinInt64, "120": 120}
	for s, want := range good {
		if got, ok := ParseInt([]byte(s)); !ok || got != want {
			t.Errorf("ParseInt(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "-", "-0", "01", "+1", " 1", "1 ", "1.0", "9223372036854775808",
		"-9223372036854775809", "18446744073709551616", "123456789012345678901", "1a"} {
		if _, ok := ParseInt([]byte(s)); ok {
			t.Errorf("ParseInt(%q) accepted", s)
		}
	}
}

func TestStringEncoding(t *testing.T) {
	for _, tc := range []struct {
		s    *String
		want string
	}{
		{NewString([]byte("123")), "int"},
		{NewString([]byte("-9223372036854775808")), "int"},
		{NewString([]byte("9223372036854775808")), "embstr"},
		{NewString([]byte("012")), "embstr"},
		{NewString(make([]byte, 44)), "embstr"},
		{NewString(make([]byte, 45)), "raw"},
		{NewInt(-5), "int"},
		{NewStringEncoded([]byte("3"), EncodingEmbstr), "embstr"},
		{NewStringEncoded(make([]byte, 45), EncodingEmbstr), "raw"},
		{NewStringEncoded([]byte("1"), EncodingRaw), "raw"},
	} {
		if got := tc.s.Encoding(); got != tc.want {
			t.Errorf("%q: encoding %s, want %s", tc.s.B, got, tc.want)
		}
	}
	s := NewString([]byte("5"))
	if !s.Shared() || NewInt(10000).Shared() || NewInt(-1).Shared() || NewString([]byte("x")).Shared() {
		t.Error("Shared")
	}
	s.SetRaw()
	if s.Encoding() != "raw" || s.Shared() {
		t.Error("SetRaw")
	}
}

func TestStringCopy(t *testing.T) {
	s := NewStringEncoded([]byte("abc"), EncodingRaw)
	c := s.Copy().(*String)
	c.B[0] = 'x'
	if string(s.B) != "abc" || c.Encoding() != "raw" {
		t.Errorf("copy shares or loses: %q %s", s.B, c.Encoding())
	}
	var _ Copier = s
}

func TestStringSizeTracksCapacity(t *testing.T) {
	s := NewString(make([]byte, 10, 32))
	if s.Size() != 32+16 {
		t.Errorf("Size %d", s.Size())
	}
}

// The expected strings are redis-server 7.0.15's INCRBYFLOAT replies.
func TestLongDouble(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"0", "10.5", "10.5"},
		{"10.5", "0.1", "10.6"},
		{"0", "1e308", "99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048"},
		{"-0.5", "0.5", "0"},
		{"0", "0x10", "16"},
		{"0", "+1.", "1"},
		{"0", ".5", "0.5"},
		{"3", "-0.0000000000000000001", "3"},
		{"0", "-0.0000000000000000001", "0"},
		{"1", "2", "3"},
	} {
		a, ok1 := ParseLongDouble([]byte(tc.a))
		b, ok2 := ParseLongDouble([]byte(tc.b))
		if !ok1 || !ok2 {
			t.Fatalf("parse %q %q", tc.a, tc.b)
		}
		sum, ok := a.Add(b)
		if !ok || string(sum.Format()) != tc.want {
			t.Errorf("%s + %s = %s (%v), want %s", tc.a, tc.b, sum.Format(), ok, tc.want)
		}
	}
	for _, bad := range []string{"", " 1", "1 ", "abc", "nan", "NaN", "1e", "1e+", ".", "-", "0x", "0x1p", "1e5000",
		"1e-5000", "1\x00", "1_000", "0b101", "1/2"} {
		if _, ok := ParseLongDouble([]byte(bad)); ok {
			t.Errorf("ParseLongDouble(%q) accepted", bad)
		}
	}
	inf, ok := ParseLongDouble([]byte("-Infinity"))
	if !ok {
		t.Fatal("-Infinity refused")
	}
	if _, ok := inf.Add(LongDoubleZero()); ok {
		t.Error("inf + 0 is finite")
	}
	big, _ := ParseLongDouble([]byte("1e4932"))
	if _, ok := big.Add(big); ok {
		t.Error("1e4932 + 1e4932 did not overflow")
	}
	if _, ok := ParseLongDouble([]byte("1e" + strconv.Itoa(1<<30))); ok {
		t.Error("a huge exponent parsed")
	}
}

// FuzzParseLongDouble: any input parses or is refused without a panic,
// and what parses formats and adds.
func FuzzParseLongDouble(f *testing.F) {
	for _, s := range []string{"1", "-1.5e10", "0x1.8p3", "inf", "1e4932", "1e-4951", "", "0x", "1e99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseLongDouble([]byte(s))
		if !ok {
			return
		}
		if sum, ok := v.Add(v); ok {
			sum.Format()
		}
	})
}

func TestLookupBytes(t *testing.T) {
	now := int64(1000)
	var events []string
	ks := New(func(channel, message string) { events = append(events, channel+" "+message) })
	ks.Clock = func() int64 { return now }
	ks.SetEvents(EventsKeyevent | ClassExpired)
	db := ks.DB(0)
	e := db.Add("k", NewString([]byte("v")))
	db.SetExpire("k", e, 2000)
	if db.LookupBytes([]byte("k")) != e || db.PeekBytes([]byte("k")) != e || db.LookupBytes([]byte("nope")) != nil {
		t.Fatal("lookup of a live key")
	}
	if n := testing.AllocsPerRun(100, func() { db.LookupBytes([]byte("k")); db.PeekBytes([]byte("nope")) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
	now = 2000
	if db.PeekBytes([]byte("k")) != nil || db.Len() != 0 || len(events) != 1 || events[0] != "__keyevent@0__:expired k" {
		t.Errorf("expired key: len %d, events %q", db.Len(), events)
	}
}
