package server

import (
	"math"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/keyspace"
)

// Argument parsing of the sorted-set commands, as Redis's: scores and
// increments (strtod), score and lex ranges, ZSCAN cursors; and the
// formatting of scores in ZSCAN.

// zparseScanCursor parses a cursor as Redis's strtoul does: digits, after
// an optional sign, no leading blank, nothing after them. A negative cursor
// wraps around, as strtoul's does.
func zparseScanCursor(b []byte) (uint64, bool) {
	if len(b) > 0 && zisSpace(b[0]) {
		return 0, false
	}
	s := b
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, len(b) == 0 // strtoul converts nothing: "" is 0, "+" is not
	}
	var v uint64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false // ERANGE
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// zformatScore formats a score as ZSCAN shows it: as Redis's d2string,
// or, in a listpack, where Redis 7.0 stores an integral score within
// ±2^62 as an integer, as that integer.
func zformatScore(f float64, listpack bool) string {
	if listpack && f >= -(1<<62) && f <= 1<<62 && f == math.Trunc(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// zparseDouble parses a score or an increment as Redis's
// getDoubleFromObject: all of the argument is a number C's strtod reads, with
// no leading blank, not NaN, not out of range.
func zparseDouble(b []byte) (float64, bool) {
	if len(b) == 0 || zisSpace(b[0]) {
		return 0, false
	}
	f, n, rangeErr := zstrtod(b)
	if n != len(b) || rangeErr || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// zparseScoreRange parses the bounds of a score range as Redis's
// zslParseRange: "(" makes a bound exclusive, and strtod needs only to stop
// at the end of the argument (or a NUL), so "" is 0 and " 1" is 1.
func zparseScoreRange(min, max []byte) (keyspace.ScoreRange, bool) {
	var r keyspace.ScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = zparseScoreBound(min); !ok {
		return r, false
	}
	if r.Max, r.MaxEx, ok = zparseScoreBound(max); !ok {
		return r, false
	}
	return r, true
}

func zparseScoreBound(b []byte) (float64, bool, bool) {
	ex := len(b) > 0 && b[0] == '('
	if ex {
		b = b[1:]
	}
	f, n, _ := zstrtod(b)
	if (n < len(b) && b[n] != 0) || math.IsNaN(f) {
		return 0, false, false
	}
	return f, ex, true
}

// zparseLexRange parses the bounds of a lexicographic range as Redis's
// zslParseLexRange: "-", "+", "[member" or "(member".
func zparseLexRange(min, max []byte) (keyspace.LexRange, bool) {
	var r keyspace.LexRange
	var ok bool
	if r.Min, ok = zparseLexBound(min); !ok {
		return r, false
	}
	r.Max, ok = zparseLexBound(max)
	return r, ok
}

func zparseLexBound(b []byte) (keyspace.LexBound, bool) {
	if len(b) == 0 {
		return keyspace.LexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 { // Redis looks at the next C character
			return keyspace.LexBound{}, false
		}
		if b[0] == '+' {
			return keyspace.LexBound{Inf: 1}, true
		}
		return keyspace.LexBound{Inf: -1}, true
	case '(':
		return keyspace.LexBound{Value: string(b[1:]), Excl: true}, true
	case '[':
		return keyspace.LexBound{Value: string(b[1:])}, true
	}
	return keyspace.LexBound{}, false
}

func zisSpace(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r'
}

// zstrtod reads the longest prefix of b that C's zstrtod converts, as glibc
// does: leading blanks, a sign, then "inf", "infinity", "nan", "nan(...)",
// a hexadecimal number ("0x1.8p3") or a decimal one. It returns the value,
// the bytes read (0 when nothing converts) and whether the value is out
// of range (ERANGE: an overflow, or an underflow to zero).
func zstrtod(b []byte) (float64, int, bool) {
	i := 0
	for i < len(b) && zisSpace(b[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	rest := lowerASCII(string(b[i:min(len(b), i+8)]))
	switch {
	case strings.HasPrefix(rest, "infinity"):
		return sign(math.Inf(1)), i + 8, false
	case strings.HasPrefix(rest, "inf"):
		return sign(math.Inf(1)), i + 3, false
	case strings.HasPrefix(rest, "nan"):
		j := i + 3
		if j < len(b) && b[j] == '(' {
			k := j + 1
			for k < len(b) && (zisAlnum(b[k]) || b[k] == '_') {
				k++
			}
			if k < len(b) && b[k] == ')' {
				j = k + 1
			}
		}
		return math.NaN(), j, false
	}
	hex := i+1 < len(b) && b[i] == '0' && (b[i+1] == 'x' || b[i+1] == 'X')
	if hex {
		j, digits := i+2, 0
		for j < len(b) && zisHexDigit(b[j]) {
			j, digits = j+1, digits+1
		}
		if j < len(b) && b[j] == '.' {
			j++
			for j < len(b) && zisHexDigit(b[j]) {
				j, digits = j+1, digits+1
			}
		}
		if digits == 0 { // "0x" alone: the 0 converts
			return sign(0), i + 1, false
		}
		mantissa := string(b[i+2 : j])
		exp := "p0"
		if k := zscanExponent(b, j, 'p'); k > j {
			exp, j = string(b[j:k]), k
		}
		f, err := strconv.ParseFloat("0x"+mantissa+exp, 64)
		return zfinishStrtod(sign(f), err, mantissa, j)
	}
	j, digits := i, 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j, digits = j+1, digits+1
	}
	if j < len(b) && b[j] == '.' {
		j++
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j, digits = j+1, digits+1
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	mantissa := string(b[i:j])
	j = zscanExponent(b, j, 'e')
	f, err := strconv.ParseFloat(string(b[start:j]), 64)
	return zfinishStrtod(f, err, mantissa, j)
}

// zscanExponent returns the end of an exponent ("e-5", "p+3") at b[j:], or
// j when there is none.
func zscanExponent(b []byte, j int, letter byte) int {
	if j >= len(b) || (b[j]|0x20) != letter {
		return j
	}
	k := j + 1
	if k < len(b) && (b[k] == '+' || b[k] == '-') {
		k++
	}
	if k >= len(b) || b[k] < '0' || b[k] > '9' {
		return j
	}
	for k < len(b) && b[k] >= '0' && b[k] <= '9' {
		k++
	}
	return k
}

// zfinishStrtod reports ERANGE as zstrtod does: on overflow, and on an
// underflow to zero of a mantissa that is not zero.
func zfinishStrtod(f float64, err error, mantissa string, n int) (float64, int, bool) {
	if err != nil && math.IsInf(f, 0) {
		return f, n, true
	}
	if f == 0 && strings.Trim(mantissa, "0.") != "" {
		return f, n, true
	}
	return f, n, false
}

func zisAlnum(ch byte) bool {
	return ch >= '0' && ch <= '9' || (ch|0x20) >= 'a' && (ch|0x20) <= 'z'
}

func zisHexDigit(ch byte) bool {
	return ch >= '0' && ch <= '9' || (ch|0x20) >= 'a' && (ch|0x20) <= 'f'
}
