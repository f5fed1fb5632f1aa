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

// match is the matcher behind Match and MatchString. It gives the answer of
// Redis's recursive stringmatchlen (kept as matchRedis) without recursion:
// it remembers only the most recent star, which is enough because every
// element but a star consumes exactly one byte, and it retries the same
// positions in the same order as Redis does with its skipLongerMatches
// pruning. A pattern that reaches more than maxStarGroups groups of stars is
// handed to matchRedis, which applies Redis's nesting limit literally.
func match[P, S byteSeq](p P, s S) bool {
	if len(s) == 0 {
		// Redis's loop never runs for an empty subject, so only an
		// empty pattern matches it.
		return len(p) == 0
	}
	pi, si := 0, 0
	retryP, retryS := -1, 0 // where to resume after the latest star
	starGroups, retryGroups := 0, 0
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
		// Mismatch: let the latest star swallow one more byte. Like
		// Redis, never try the rest of the pattern against an empty
		// remainder: it needs at least one byte.
		if retryP < 0 {
			return false
		}
		retryS++
		if next := p[retryP]; next != '?' && next != '[' && next != '\\' {
			// The rest starts with a plain byte: skip the positions
			// where it fails at once.
			for retryS < len(s) && s[retryS] != next {
				retryS++
			}
		}
		if retryS >= len(s) {
			return false
		}
		pi, si, starGroups = retryP, retryS, retryGroups
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
