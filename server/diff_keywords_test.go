package server

import "testing"

// TestDiffKeywordCase: keywords match as Redis's strcasecmp matches them,
// ASCII letters only. Go's EqualFold and ToLower fold Unicode too, and
// took a Kelvin sign (U+212A, "\xe2\x84\xaa") for k and a long s (U+017F,
// "\xc5\xbf") for s (found by fuzzing). ASCII case is still ignored.
func TestDiffKeywordCase(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		forProtocols("keywords", "a", `
			a: FLUSHALL                              => 1
			a: RPUSH l a b                          => 1
			a: LPOS l a "RAN\xe2\x84\xaa" 1             => 1
			a: LPOS l a rAnK 1                       => 1
			a: SET s v EX 100                        => 1
			a: SET s v "\xe2\x84\xaaEEPTTL"             => 1
			a: SET s v kEePtTl                       => 1
			a: TTL s                                 => 1
			a: HSET h f v                            => 1
			a: HRANDFIELD h 1 "WITHVALUE\xc5\xbf"       => 1
			a: SADD t x                              => 1
			a: SINTERCARD 1 t LIMIT 1                => 1
			a: SINTERCARD 1 t LIMIT 1 "\xc5\xbfLIMIT"   => 1
			a: ZADD z 1 m                            => 1
			a: ZRANGE z 0 -1 "WITH\xc5\xbfCORES"        => 1
			a: LINSERT l BEFORE a x                  => 1
			a: FLUSHDB "\xc5\xbfYNC"                    => 1
			a: CLIENT "\xe2\x84\xaaILL" ID 1            => 1
			a: OBJECT ENCODING l                     => 1
			a: SCAN 0 TYPE "\xc5\xbftring"              => 1
			a: FLUSHALL "A\xc5\xbfYNC"                  => 1
			a: FLUSHALL                              => 1
		`),
	))
}
