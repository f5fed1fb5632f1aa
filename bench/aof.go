package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync/atomic"
	"time"
)

// aofModes are the append-only settings the aof case compares: the name
// for row labels and the appendfsync value ("" for appendonly no).
var aofModes = []struct{ name, fsync string }{
	{"appendonly no", ""},
	{"appendfsync everysec", "everysec"},
	{"appendfsync always", "always"},
}

// aofWaitTimeout bounds the wait for a server's AOF to hold the writes it
// acknowledged (with everysec a server may write after replying).
const aofWaitTimeout = 3 * time.Second

// aofServerArgs returns the persistence options of an aof case's server:
// its own directory, appendonly as mode says, no automatic rewrite (the
// rows measure appending, not compaction), and for Redis a plain AOF
// without an RDB preamble, as Herald writes. Herald's flags are spelled
// as Redis's.
func aofServerArgs(kind serverKind, fsync, dir string) []string {
	args := []string{"--dir", dir, "--appendonly", "no"}
	if fsync != "" {
		args = []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", fsync, "--auto-aof-rewrite-percentage", "0"}
		if kind == kindRedis {
			args = append(args, "--aof-use-rdb-preamble", "no")
		}
	}
	return args
}

// aofCase measures write throughput with the append-only file off, with
// appendfsync everysec and with appendfsync always: one case per mode,
// each on a fresh server started with the same options for both (see
// aofServerArgs) and a directory of its own, made for the run under
// -aof-dir and removed after it. The load is getSetCase's: cfg.kvConns
// connections keeping depth commands in flight, the keys preloaded, then
// a SET phase that overwrites them, then an XADD phase as in the XADD
// rows (streamAddRing), each with its warmup and window; every reply is
// checked. With the AOF on, the bytes of the server's directory must grow
// in each phase by at least the values it acknowledged, so a server that
// does not log cannot look fast; with it off, the directory must stay
// empty.
func aofCase(cfg *config, fsync, name string, depth int) benchCase {
	return benchCase{
		group: "aof",
		name:  fmt.Sprintf("aof %s %d conns × %d", cmp.Or(fsync, "off"), cfg.kvConns, depth),
		metrics: []metric{
			{label: "SET/s, " + name + ", " + kvDesc(cfg, depth), unit: perSecond},
			{label: "XADD/s, " + name + ", " + streamAddDesc(cfg, depth), unit: perSecond},
		},
		serverArgs: func(kind serverKind, dir string) []string { return aofServerArgs(kind, fsync, dir) },
		run: func(cfg *config, s *server) (caseResult, error) {
			res, err := runAOF(cfg, s, depth, fsync != "")
			return res, errors.Join(err, s.checkAlive())
		},
	}
}

// runAOF runs the aof case's two phases against s, checking the growth of
// its directory (s.dir) after each.
func runAOF(cfg *config, s *server, depth int, logging bool) (caseResult, error) {
	clients, err := dialKV(s, cfg.kvConns)
	if err != nil {
		return caseResult{}, err
	}
	defer closeKV(clients)
	keys := newKVKeys(cfg.kvKeys)
	sets := keys.setRing(makePayload(cfg.kvValue))
	if err := preload(s, clients, sets, cfg.kvKeys); err != nil {
		return caseResult{}, err
	}
	base := int64(cfg.kvKeys * cfg.kvValue) // the preload's values
	if !logging {
		base = 0
	}
	if err := waitDirBytes(s.dir, base, logging); err != nil {
		return caseResult{}, fmt.Errorf("after the preload: %w", err)
	}
	var res caseResult
	var cpus []cpuUsage
	for _, p := range []kvPhase{
		{name: fmt.Sprintf("SET ×%d", depth), ring: sets, depth: depth, check: checkOK},
		{name: fmt.Sprintf("XADD ×%d", depth), ring: streamAddRing(cfg), depth: depth, check: checkStreamID},
	} {
		before, err := dirBytes(s.dir)
		if err != nil {
			return caseResult{}, err
		}
		p.done = new(atomic.Int64)
		rate, cpu, err := p.run(cfg, s, clients)
		if err != nil {
			return caseResult{}, err
		}
		if logging {
			before += p.done.Load() * int64(cfg.kvValue)
		}
		if err := waitDirBytes(s.dir, before, logging); err != nil {
			return caseResult{}, fmt.Errorf("%s: %w", p.name, err)
		}
		res.values = append(res.values, rate)
		cpus = append(cpus, cpu)
	}
	res.cpu = combineCPU(cpus)
	return res, nil
}

// waitDirBytes polls, for up to aofWaitTimeout, until the files under dir
// hold at least want bytes when logging, and checks that they hold none
// when not.
func waitDirBytes(dir string, want int64, logging bool) error {
	deadline := time.Now().Add(aofWaitTimeout)
	for {
		got, err := dirBytes(dir)
		switch {
		case err != nil:
			return err
		case !logging && got != 0:
			return fmt.Errorf("with appendonly no the server wrote %d bytes in its directory", got)
		case !logging || got >= want:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("the AOF directory holds %d bytes, less than the %d of the values acknowledged", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dirBytes returns the total size of the regular files under dir.
func dirBytes(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			total += info.Size()
		}
		return err
	})
	return total, err
}
