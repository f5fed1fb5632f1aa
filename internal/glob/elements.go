package glob

// elementKind says what one element of a pattern matches.
type elementKind uint8

const (
	literalElement elementKind = iota // one given byte
	anyByteElement                    // '?': any one byte
	classElement                      // '[...]': one byte of a class
	starElement                       // one or more '*': any run of bytes
)

// element is one step of a pattern as the matcher reads it. Every element
// but a star consumes exactly one byte of the subject.
type element struct {
	kind elementKind
	// literal is the byte a literalElement matches, with a '\' escape
	// resolved.
	literal byte
	// start is where the element begins in the pattern (the '[' of a
	// class).
	start int
}

// nextElement reads the element that starts at pattern[i] and returns it
// with the index just past it. It consumes the pattern exactly as
// stringmatchlen does, whatever the subject.
func nextElement(pattern string, i int) (element, int) {
	e := element{start: i}
	switch pattern[i] {
	case '*':
		e.kind = starElement
		for i+1 < len(pattern) && pattern[i+1] == '*' {
			i++
		}
		return e, i + 1
	case '?':
		e.kind = anyByteElement
		return e, i + 1
	case '[':
		e.kind = classElement
		_, last := matchClass(pattern, i, 0)
		return e, last + 1
	case '\\':
		if i+1 < len(pattern) {
			i++
		}
	}
	e.kind = literalElement
	e.literal = pattern[i]
	return e, i + 1
}
