package keyspace

import (
	"bytes"
	"math/big"
	"strings"
)

// INCRBYFLOAT's arithmetic. Redis computes it in C's long double, the x87
// 80-bit extended format on x86-64 (64-bit mantissa, 15-bit exponent),
// parses with strtold and prints the result with "%.17Lf" less trailing
// zeros. LongDouble reproduces that with math/big: values rounded to 64
// mantissa bits, to nearest even, with the format's exponent range, so
// INCRBYFLOAT's replies match Redis's digit for digit (subnormal results
// below 2^-16382 keep 64 bits where the x87 keeps fewer).

// LongDouble is a finite or infinite 80-bit extended value.
type LongDouble struct{ f *big.Float }

const (
	longDoublePrec   = 64
	longDoubleMaxExp = 16384  // big.Float exponent (mantissa in [0.5, 1)) of the largest finite
	longDoubleMinExp = -16444 // of the smallest subnormal, 2^-16445
	maxLongDoubleLen = 5 * 1024
)

func newLongDouble() *big.Float {
	return new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
}

// LongDoubleZero returns 0.
func LongDoubleZero() LongDouble { return LongDouble{newLongDouble()} }

// Add returns a+b, and false if it is infinite or not a number (Redis's
// "increment would produce NaN or Infinity").
func (a LongDouble) Add(b LongDouble) (LongDouble, bool) {
	if a.f.IsInf() || b.f.IsInf() {
		return LongDouble{}, false
	}
	z := newLongDouble().Add(a.f, b.f)
	if z.Sign() != 0 && z.MantExp(nil) > longDoubleMaxExp {
		return LongDouble{}, false
	}
	return LongDouble{z}, true
}

// Format prints the value as Redis's ld2string in LD_STR_HUMAN mode:
// "%.17Lf", then trailing zeros after the point removed, and "-0" as
// "0". The value must be finite.
func (a LongDouble) Format() []byte {
	s := a.f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return []byte(s)
}

// ParseLongDouble parses b as Redis's string2ld: strtold's syntax
// (decimal, hexadecimal with a binary exponent, inf, infinity), no
// leading space, nothing after the number (a NUL byte included),
// shorter than 5 KB, and neither NaN nor out of range.
func ParseLongDouble(b []byte) (LongDouble, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleLen || isCSpace(b[0]) {
		return LongDouble{}, false
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return LongDouble{}, false // strtold would stop short of the end
	}
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	var f *big.Float
	var ok bool
	lower := strings.ToLower(string(b))
	switch {
	case lower == "inf" || lower == "infinity":
		f, ok = newLongDouble().SetInf(false), true
	case strings.HasPrefix(lower, "0x"):
		f, ok = parseHexFloat(lower[2:])
	default:
		f, ok = parseDecimalFloat(lower)
	}
	if !ok {
		return LongDouble{}, false
	}
	if neg {
		f.Neg(f)
	}
	return LongDouble{f}, true
}

func isCSpace(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r'
}

// splitMantissa splits s into the digits before and after an optional
// point and what follows, as the digit set isDigit allows; false when
// there is no digit at all.
func splitMantissa(s string, isDigit func(byte) bool) (intPart, frac, rest string, ok bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart, s = s[:i], s[i:]
	if len(s) > 0 && s[0] == '.' {
		j := 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		frac, s = s[1:j], s[j:]
	}
	return intPart, frac, s, intPart != "" || frac != ""
}

// parseExponent parses "[+-]digits" saturating at ±1e9; false if it is
// not all of s.
func parseExponent(s string) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var e int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		if e < 1e9 {
			e = e*10 + int64(s[i]-'0')
		}
	}
	if neg {
		e = -e
	}
	return e, true
}

func isDecDigit(ch byte) bool { return '0' <= ch && ch <= '9' }
func isHexDigit(ch byte) bool { return isDecDigit(ch) || ('a' <= ch && ch <= 'f') }

// rangeChecked rounds the exact value in f to the long double range:
// false when strtold would report ERANGE with an infinite or zero result.
func rangeChecked(f *big.Float) (*big.Float, bool) {
	if f.Sign() == 0 {
		return f, true
	}
	e := f.MantExp(nil)
	if e > longDoubleMaxExp || e < longDoubleMinExp {
		return nil, false
	}
	return f, true
}

func parseDecimalFloat(s string) (*big.Float, bool) {
	intPart, frac, rest, ok := splitMantissa(s, isDecDigit)
	if !ok {
		return nil, false
	}
	var exp int64
	if rest != "" {
		if rest[0] != 'e' {
			return nil, false
		}
		if exp, ok = parseExponent(rest[1:]); !ok {
			return nil, false
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= int64(len(frac))
	if digits == "" {
		return newLongDouble(), true
	}
	// The value is digits × 10^exp; its decimal magnitude decides the
	// cases too large or too small to compute.
	if mag := int64(len(digits)) + exp; mag > 4934 {
		return nil, false
	} else if mag < -4952 {
		return nil, false
	}
	m, _ := new(big.Int).SetString(digits, 10)
	ten := big.NewInt(10)
	f := newLongDouble()
	if exp >= 0 {
		m.Mul(m, new(big.Int).Exp(ten, big.NewInt(exp), nil))
		f.SetInt(m)
	} else {
		den := new(big.Int).Exp(ten, big.NewInt(-exp), nil)
		f.SetRat(new(big.Rat).SetFrac(m, den))
	}
	return rangeChecked(f)
}

func parseHexFloat(s string) (*big.Float, bool) {
	intPart, frac, rest, ok := splitMantissa(s, isHexDigit)
	if !ok {
		return nil, false
	}
	var exp int64
	if rest != "" {
		if rest[0] != 'p' {
			return nil, false
		}
		if exp, ok = parseExponent(rest[1:]); !ok {
			return nil, false
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return newLongDouble(), true
	}
	exp -= 4 * int64(len(frac))
	if mag := 4*int64(len(digits)) + exp; mag > longDoubleMaxExp+4 || mag < longDoubleMinExp-4 {
		return nil, false
	}
	m, _ := new(big.Int).SetString(digits, 16)
	f := newLongDouble().SetInt(m)
	f.SetMantExp(f, int(exp))
	return rangeChecked(f)
}
