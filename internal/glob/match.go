package glob

// byteSeq is a pattern or a subject: a string or a byte slice. Matching is
// generic over it so that neither form is converted (and copied) into the
// other.
type byteSeq interface {
	~string | ~[]byte
}

// maxStarGroups is the number of groups of consecutive stars a match may
// pass through before Redis gives up and reports no match: its
// stringmatchlen returns 0 once its recursion is nested more than 1000 deep,
// and it recurses once per group of stars.
const maxStarGroups = 1000

// Match reports whether subject matches the glob pattern, exactly as Redis
// 7.0.15's stringmatchlen does. It does not allocate.
func Match(pattern, subject []byte) bool {
	return match(pattern, subject)
}

// MatchString is Match for strings. It does not allocate.
func MatchString(pattern, subject string) bool {
	return match(pattern, subject)
}

// MatchIn is Match for a pattern held as a string and a subject as bytes
// (an ACL user's channel patterns against a command's argument), without
// converting either. It does not allocate.
func MatchIn(pattern string, subject []byte) bool {
	return match(pattern, subject)
}

// match is the matcher behind Match and MatchString. It gives the answer of
// Redis's recursive stringmatchlen (kept as matchRedis) without recursion:
// it remembers only the most recent star, which is enough because every
// element but a star consumes exactly one byte, and it retries positions in
// the order Redis does with its skipLongerMatches pruning. A pattern that
// reaches more than maxStarGroups groups of stars is handed to matchRedis,
// which applies Redis's nesting limit literally.
//
// Where Redis tries every later position for the segment after a star (the
// elements up to the next star), at a cost of up to the segment's width
// each, match goes straight to the first position where the segment
// matches: the end of the subject for a last segment, the next occurrence
// found by a rolling hash for plain bytes or by Shift-And for a long
// segment with '?', classes or escapes. A pattern built to be slow (a long
// segment that nearly matches everywhere in a long channel) then costs
// about the channel's length, not the product of both lengths.
func match[P, S byteSeq](p P, s S) bool {
	if len(s) == 0 {
		// Redis's loop never runs for an empty subject, so only an
		// empty pattern matches it.
		return len(p) == 0
	}
	pi, si := 0, 0
	retryP, retryS := -1, 0 // where to resume after the latest star
	starGroups, retryGroups := 0, 0
	var seg segment // the elements after the latest star, read at its first retry
	segRead := false
	var finder *shiftAnd // finds seg when it is long and not plain
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			switch c {
			case '*':
				for pi+1 < len(p) && p[pi+1] == '*' {
					pi++
				}
				if pi == len(p)-1 {
					return true // a final star matches the rest
				}
				starGroups++
				if starGroups > maxStarGroups {
					return matchRedisFromStart(p, s)
				}
				pi++
				retryP, retryS, retryGroups = pi, si, starGroups
				segRead, finder = false, nil
				continue
			case '?':
				pi++
				si++
				continue
			case '[':
				if matched, last := matchClass(p, pi, s[si]); matched {
					pi = last + 1
					si++
					continue
				}
			case '\\':
				if pi+1 < len(p) {
					pi++
					c = p[pi]
				}
				fallthrough
			default:
				if c == s[si] {
					pi++
					si++
					continue
				}
			}
		}
		// Mismatch: let the latest star swallow more bytes, up to the
		// next position where the segment after it (the elements up to
		// the next star) can match: the first such position decides,
		// because whatever follows the next star is tried from there.
		// Like Redis, never try the rest of the pattern against an empty
		// remainder: it needs at least one byte.
		if retryP < 0 {
			return false
		}
		if !segRead {
			seg, segRead = readSegment(p, retryP), true
		}
		switch {
		case seg.end == len(p):
			// No star follows: the segment can only match the end
			// of the subject, each of its elements taking one byte.
			target := len(s) - seg.width
			if target <= retryS {
				return false
			}
			retryS = target
		case seg.plain && seg.width > 1:
			// Plain bytes: find their next occurrence in linear
			// time, where trying each position costs the segment's
			// length.
			if retryS = indexFrom(s, retryS+1, p, retryP, seg.end); retryS < 0 {
				return false
			}
		case seg.width >= minShiftAndWidth:
			// Long, with '?', classes or escapes: Shift-And finds
			// the next position in len(s) × width/64 steps.
			if finder == nil {
				finder = newShiftAnd(p, retryP, seg.end, seg.width)
			}
			if retryS = shiftAndNext(finder, s, retryS+1); retryS < 0 {
				return false
			}
		default:
			retryS++
			if next := p[retryP]; next != '?' && next != '[' && next != '\\' {
				// The segment starts with a plain byte: skip the
				// positions where it fails at once.
				for retryS < len(s) && s[retryS] != next {
					retryS++
				}
			}
			if retryS >= len(s) {
				return false
			}
		}
		pi, si, starGroups = retryP, retryS, retryGroups
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// segment describes the elements of a pattern from one index up to the
// next star or the end.
type segment struct {
	end   int  // the index of the next star, or len(pattern)
	width int  // the subject bytes the elements consume, one each
	plain bool // literal bytes only: no '?', class or escape
}

// readSegment reads the segment that starts at p[i].
func readSegment[P byteSeq](p P, i int) segment {
	seg := segment{plain: true}
	for i < len(p) && p[i] != '*' {
		switch p[i] {
		case '?':
			seg.plain = false
		case '[':
			seg.plain = false
			_, i = matchClass(p, i, 0)
		case '\\':
			seg.plain = false
			if i+1 < len(p) {
				i++
			}
		}
		i++
		seg.width++
	}
	seg.end = i
	return seg
}

// primeRK is the base of indexFrom's rolling hash (as in package strings).
const primeRK = 16777619

// indexFrom returns the first index at or after from where s holds the
// bytes p[lo:hi], or -1: Rabin-Karp, linear in len(s) - from plus the
// length of the bytes, without allocating.
func indexFrom[P, S byteSeq](s S, from int, p P, lo, hi int) int {
	n := hi - lo
	if len(s)-from < n {
		return -1
	}
	var want, h, pow uint32 = 0, 0, 1
	for i := lo; i < hi; i++ {
		want = want*primeRK + uint32(p[i])
		pow *= primeRK
	}
	for i := from; i < from+n; i++ {
		h = h*primeRK + uint32(s[i])
	}
	for at := from; ; at++ {
		if h == want && sameBytes(s, at, p, lo, hi) {
			return at
		}
		if at+n >= len(s) {
			return -1
		}
		h = h*primeRK + uint32(s[at+n]) - pow*uint32(s[at])
	}
}

// sameBytes reports whether s[at:] starts with p[lo:hi].
func sameBytes[P, S byteSeq](s S, at int, p P, lo, hi int) bool {
	for i := lo; i < hi; i++ {
		if s[at+i-lo] != p[i] {
			return false
		}
	}
	return true
}

// minShiftAndWidth is the shortest segment that match looks for with
// Shift-And rather than by trying each position, which costs up to the
// segment's width per position: Shift-And allocates its tables, a cost
// that pays only for long segments.
const minShiftAndWidth = 32

// shiftAnd finds the occurrences of a segment of a pattern in a subject
// with the Shift-And algorithm: bit j of the state is set when the
// segment's first j+1 elements match the bytes just read.
type shiftAnd struct {
	width, words int
	masks        []uint64 // masks[c*words+k]: bit j of word k when element 64k+j takes byte c
	state        []uint64
}

// newShiftAnd builds the finder of the segment p[lo:end] of width
// elements, reading escapes and classes as match does.
func newShiftAnd[P byteSeq](p P, lo, end, width int) *shiftAnd {
	words := (width + 63) / 64
	f := &shiftAnd{width: width, words: words, masks: make([]uint64, 256*words), state: make([]uint64, words)}
	set := func(c byte, j int) { f.masks[int(c)*words+j/64] |= 1 << (j % 64) }
	for i, j := lo, 0; i < end; j++ {
		switch p[i] {
		case '?':
			for c := range 256 {
				set(byte(c), j)
			}
		case '[':
			for c := range 256 {
				if in, _ := matchClass(p, i, byte(c)); in {
					set(byte(c), j)
				}
			}
			_, i = matchClass(p, i, 0)
		case '\\':
			if i+1 < len(p) {
				i++
			}
			set(p[i], j)
		default:
			set(p[i], j)
		}
		i++
	}
	return f
}

// shiftAndNext returns the first index at or after from where f's segment
// matches s, or -1.
func shiftAndNext[S byteSeq](f *shiftAnd, s S, from int) int {
	clear(f.state)
	last, top := f.words-1, uint64(1)<<((f.width-1)%64)
	for i := from; i < len(s); i++ {
		mask := f.masks[int(s[i])*f.words:]
		carry := uint64(1) // a match of no element always holds
		for k := range f.state {
			d := f.state[k]
			f.state[k] = (d<<1 | carry) & mask[k]
			carry = d >> 63
		}
		if f.state[last]&top != 0 {
			return i - f.width + 1
		}
	}
	return -1
}
