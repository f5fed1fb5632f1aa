package backend

import (
	"context"

	"github.com/heraldhq/herald/bus"
	"github.com/redis/rueidis"
)

// Message is one publish for PublishMany.
type Message = bus.Message

// PublishMany publishes msgs in one round trip per Redis node, in order
// per channel, and returns each one's receiver count and error, as Publish
// and SPublish would. The RESP server uses it for a pipelined batch of
// PUBLISH and SPUBLISH commands, which would otherwise each wait a round
// trip. The payloads must not change until it returns.
func (bk *Backend) PublishMany(ctx context.Context, msgs []Message) ([]int, []error) {
	counts, errs := make([]int, len(msgs)), make([]error, len(msgs))
	if bk.closed.Load() {
		for i := range errs {
			errs[i] = bus.ErrClosed
		}
		return counts, errs
	}
	e := bk.e
	c := e.client
	// main carries what goes to the main client (routed by slot in a
	// cluster); classic carries the classic PUBLISHes a cluster also needs
	// for patterns and keyspace channel names, sent to the pattern node.
	var main, classic []rueidis.Completed
	var mainOf, classicOf []int
	patterns := e.cluster && e.patternsActive.Load()
	for i, m := range msgs {
		payload := rueidis.BinaryString(m.Payload)
		switch {
		case m.Shard:
			main = append(main, c.B().Spublish().Channel(shardPrefix+m.Channel).Message(payload).Build())
			mainOf = append(mainOf, i)
		case !e.cluster:
			main = append(main, c.B().Publish().Channel(m.Channel).Message(payload).Build())
			mainOf = append(mainOf, i)
		default:
			if !isKeyspaceChannel(m.Channel) {
				main = append(main, c.B().Spublish().Channel(m.Channel).Message(payload).Build())
				mainOf = append(mainOf, i)
			}
			if patterns || isKeyspaceChannel(m.Channel) {
				classic = append(classic, c.B().Publish().Channel(m.Channel).Message(payload).Build())
				classicOf = append(classicOf, i)
			}
		}
	}
	collect := func(results []rueidis.RedisResult, of []int) {
		for j, r := range results {
			n, err := r.AsInt64()
			counts[of[j]] += int(n)
			if err != nil && errs[of[j]] == nil {
				errs[of[j]] = err
			}
		}
	}
	if len(main) > 0 {
		collect(c.DoMulti(ctx, main...), mainOf)
	}
	if len(classic) > 0 {
		pc, err := e.patternNodeClient()
		if err != nil {
			for _, i := range classicOf {
				errs[i] = err
			}
		} else {
			collect(pc.DoMulti(ctx, classic...), classicOf)
		}
	}
	return counts, errs
}
