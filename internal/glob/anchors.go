package glob

// anchors are the literal runs of a pattern that every subject it matches
// must hold. Each element but a star consumes exactly one byte, so a run of
// literal elements before the first other element is a prefix of every
// match, a run after the last other element is a suffix, and a run between
// two others is a substring. Redis's nesting limit only ever turns a match
// into a no-match, so it cannot break these rules.
type anchors struct {
	// literalOnly is true when the pattern has literal elements only: it
	// matches exactly one subject, exact.
	literalOnly bool
	exact       string
	prefix      string   // literal run at the start, if any
	suffix      string   // literal run at the end, if any
	inner       []string // literal runs between two other elements
}

// patternAnchors returns the anchors of pattern, escapes resolved.
func patternAnchors(pattern string) anchors {
	var a anchors
	var run []byte
	runStart := 0 // index of the run's first element among all elements
	elements := 0
	sawOther := false
	for i := 0; i < len(pattern); elements++ {
		var e element
		e, i = nextElement(pattern, i)
		if e.kind == literalElement {
			if len(run) == 0 {
				runStart = elements
			}
			run = append(run, e.literal)
			continue
		}
		if len(run) > 0 {
			if runStart == 0 {
				a.prefix = string(run)
			} else {
				a.inner = append(a.inner, string(run))
			}
			run = run[:0]
		}
		sawOther = true
	}
	switch {
	case !sawOther:
		a.literalOnly = true
		a.exact = string(run)
	case len(run) > 0:
		a.suffix = string(run)
	}
	return a
}
