package glob

// byteAt returns p[i], or 0 past the end. Redis reads its patterns as
// NUL-terminated C strings and sometimes looks one byte past the end; a 0
// there never equals the bytes it is compared with ('\\', ']', '^', '*',
// '-'), so this reproduces those reads.
func byteAt[P byteSeq](p P, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

// matchClass matches c against the class that opens with the '[' at
// p[open], as the '[' case of Redis's stringmatchlen does, and returns
// whether c is in the class and the index of the class's last byte: its ']',
// or for an unterminated class the last byte of the pattern. Where the class
// ends depends on the pattern only, never on c.
//
// Ranges compare bytes as signed chars, as Redis does on x86-64 where C's
// char is signed: a byte >= 0x80 is below every ASCII byte.
func matchClass[P byteSeq](p P, open int, c byte) (matched bool, last int) {
	i := open + 1
	negated := byteAt(p, i) == '^'
	if negated {
		i++
	}
	for {
		remaining := len(p) - i
		if byteAt(p, i) == '\\' && remaining >= 2 {
			i++
			if p[i] == c {
				matched = true
			}
		} else if byteAt(p, i) == ']' {
			break
		} else if remaining == 0 {
			i-- // unterminated: the class ends with the pattern
			break
		} else if remaining >= 3 && p[i+1] == '-' {
			low, high := int8(p[i]), int8(p[i+2])
			if low > high {
				low, high = high, low
			}
			if signed := int8(c); signed >= low && signed <= high {
				matched = true
			}
			i += 2
		} else if p[i] == c {
			matched = true
		}
		i++
	}
	if negated {
		matched = !matched
	}
	return matched, i
}
