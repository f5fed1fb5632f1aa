package glob

// matchRedisFromStart runs matchRedis over the whole pattern and subject,
// as Redis's stringmatchlen does.
func matchRedisFromStart[P, S byteSeq](p P, s S) bool {
	skipLongerMatches := false
	return matchRedis(p, 0, s, 0, &skipLongerMatches, 0)
}

// matchRedis is a line-by-line port of stringmatchlen_impl from Redis
// 7.0.15's src/util.c with nocase=0, on indexes instead of pointers: it
// matches p[pi:] against s[si:]. It recurses once per group of stars and
// gives up (no match) when nested more than maxStarGroups deep. Once the
// rest of a pattern after a star has failed at every later position,
// skipLongerMatches stops the earlier stars from trying longer runs too.
//
// match gives the same answers faster; matchRedis is what it falls back to
// for patterns with very many stars, and the reference the tests hold it to.
func matchRedis[P, S byteSeq](p P, pi int, s S, si int, skipLongerMatches *bool, nesting int) bool {
	if nesting > maxStarGroups {
		return false
	}
	for pi < len(p) && si < len(s) {
		switch p[pi] {
		case '*':
			for pi+1 < len(p) && p[pi+1] == '*' {
				pi++
			}
			if pi == len(p)-1 {
				return true
			}
			for si < len(s) {
				if matchRedis(p, pi+1, s, si, skipLongerMatches, nesting+1) {
					return true
				}
				if *skipLongerMatches {
					return false
				}
				si++
			}
			*skipLongerMatches = true
			return false
		case '?':
			si++
		case '[':
			matched, last := matchClass(p, pi, s[si])
			if !matched {
				return false
			}
			pi = last
			si++
		case '\\':
			if len(p)-pi >= 2 {
				pi++
			}
			fallthrough
		default:
			if p[pi] != s[si] {
				return false
			}
			si++
		}
		pi++
		if si == len(s) {
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			break
		}
	}
	return pi == len(p) && si == len(s)
}
