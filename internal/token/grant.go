package token

import (
	"slices"
	"time"

	"github.com/heraldhq/herald/internal/glob"
)

// allChannels is the glob that, alone, is Redis's "&*" (allchannels): it
// allows every channel, the empty one included, and every pattern.
const allChannels = "*"

// Grant is what a verified token allows. Verify fills it in; treat it as
// read-only after that, and share it freely between goroutines. A nil
// *Grant allows nothing.
type Grant struct {
	// Subject is the token's sub claim: the client's identity.
	Subject string
	// Expiry is the token's exp claim. The Grant does not watch the clock;
	// a gateway that keeps connections open past it should close them.
	Expiry time.Time
	// Subscribe holds the channel globs of the subscribe claim.
	Subscribe []string
	// Publish holds the channel globs of the publish claim.
	Publish []string
}

// Identity returns the client's identity, the token's sub claim.
func (g *Grant) Identity() string {
	if g == nil {
		return ""
	}
	return g.Subject
}

// CanSubscribe reports whether the client may SUBSCRIBE to channel: some
// subscribe glob matches it.
func (g *Grant) CanSubscribe(channel string) bool {
	return g != nil && anyMatches(g.Subscribe, channel)
}

// CanPSubscribe reports whether the client may PSUBSCRIBE to pattern. As in
// Redis's ACLs, the pattern must equal one of the subscribe globs byte for
// byte (or the globs must hold "*", which allows everything): a narrower
// pattern is refused too.
func (g *Grant) CanPSubscribe(pattern string) bool {
	if g == nil {
		return false
	}
	return slices.Contains(g.Subscribe, allChannels) || slices.Contains(g.Subscribe, pattern)
}

// CanPublish reports whether the client may PUBLISH to channel: some
// publish glob matches it.
func (g *Grant) CanPublish(channel string) bool {
	return g != nil && anyMatches(g.Publish, channel)
}

// anyMatches reports whether one of globs matches channel.
func anyMatches(globs []string, channel string) bool {
	for _, pattern := range globs {
		if pattern == allChannels || glob.MatchString(pattern, channel) {
			return true
		}
	}
	return false
}
