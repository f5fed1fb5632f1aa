package main

import (
	"errors"
	"fmt"
	"time"
)

// idleCase measures the memory an idle subscriber costs the server: its RSS
// (VmRSS in /proc/<pid>/status) a fixed time after the last of
// cfg.idleConns connections got its subscribe ack, minus its RSS before
// the first connection, divided by the number of connections. Each
// connection subscribes to a channel of its own (bench:idle:<i>), or with
// -idle-shared all to one channel, and then sends nothing more. One row is
// reported per -idle-wait, all read in the same run.
func idleCase(cfg *config) benchCase {
	c := benchCase{group: "idle", name: fmt.Sprintf("idle %d conns", cfg.idleConns), run: runIdle}
	channels := "own channel each"
	if cfg.idleShared {
		channels = "one shared channel"
	}
	for _, wait := range cfg.idleWaits {
		c.metrics = append(c.metrics, metric{
			label: fmt.Sprintf("bytes per idle subscriber, %s conns (%s), RSS %v after last ack",
				thousands(int64(cfg.idleConns)), channels, wait),
			unit:  bytesUnit,
			lower: true,
		})
	}
	return c
}

// runIdle runs the idle case against s.
func runIdle(cfg *config, s *server) (caseResult, error) {
	before, err := rssBytes(s.pid)
	if err != nil {
		return caseResult{}, err
	}
	conns, err := dialMany(s.addr, cfg.idleConns)
	if err != nil {
		return caseResult{}, err
	}
	defer closeAll(conns)
	shared := appendCommandStrings(nil, "SUBSCRIBE", "bench:idle")
	command := func(i int) []byte {
		if cfg.idleShared {
			return shared
		}
		return appendCommandStrings(nil, "SUBSCRIBE", fmt.Sprintf("bench:idle:%d", i))
	}
	if _, err := subscribeAll(conns, command, 1, 512); err != nil {
		return caseResult{}, err
	}
	res, err := idleRSS(cfg, s, before, time.Now(), cfg.idleConns)
	return res, errors.Join(err, s.checkAlive())
}
