package backend

import "github.com/heraldhq/herald/broker"

// Holdings implements bus.Bus: what s holds in the local broker.
func (bk *Backend) Holdings(s broker.Subscriber) (channels, patterns []string) {
	channels, patterns, _ = bk.e.broker.Holdings(s)
	return channels, patterns
}
