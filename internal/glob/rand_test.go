package glob

import "math/rand/v2"

// newTestRand returns a deterministic random source, so that a failing
// random test fails the same way again.
func newTestRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x6865726164))
}
