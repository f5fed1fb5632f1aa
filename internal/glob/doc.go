// Package glob is Herald's Redis-exact glob matcher and a selective index of
// subscribed patterns.
//
// Match and MatchString behave exactly as stringmatchlen in Redis 7.0.15
// (src/util.c) with nocase=0: they work on bytes, not runes; `*` matches any
// run of bytes, `?` one byte, `[abc]`, `[^abc]` and `[a-z]` one byte of a
// class, and `\` escapes the byte after it. `!`, `{`, `}` and `,` are
// literals. The corners are Redis's too:
//
//   - an empty subject matches only the empty pattern ("*" does not match "");
//   - `[` starts a class that runs to the next unescaped `]` or to the end of
//     the pattern, and `]` right after `[` or `[^` closes an empty class;
//   - a range compares bytes as C's signed char on x86-64, so bytes >= 0x80
//     sort below 0x00 ("[a-\xc3]" holds 0x00-0x61 and 0xc3-0xff), and a
//     reversed range is swapped;
//   - `-` ends a range even when the byte after it is `]` ("[a-]" is the
//     range `]`..`a`, unterminated);
//   - a trailing `\` is a literal backslash, in a class or out of it;
//   - a pattern whose matching reaches its 1001st group of stars returns no
//     match (the nesting limit of CVE-2022-36021).
//
// Index files each pattern under its most selective literal (prefix,
// suffix, or a literal run inside), so finding the patterns that match a
// channel costs about the length of the channel plus the candidates, not
// the number of patterns.
package glob
