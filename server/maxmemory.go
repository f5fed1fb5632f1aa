package server

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/heraldhq/herald/keyspace"
)

// maxmemory: before a command runs, keys are evicted by maxmemory-policy
// until the keyspace's used memory (keyspace.UsedMemory: the keys' bytes
// plus a fixed baseline, what INFO reports as used_memory) is within
// maxmemory, as Redis's performEvictions in processCommand. When it cannot
// get there (noeviction, or nothing the policy may evict), the commands
// Redis refuses get its OOM error: those flagged denyoom, every command
// queued in MULTI but EXEC, DISCARD, QUIT and RESET, and an EXEC whose
// transaction holds a denyoom command.

// errOOM is Redis's reply to a command refused for maxmemory.
var errOOM = keyspace.ErrOOM.Error()

// evictionPolicy returns maxmemory-policy.
func (s *Server) evictionPolicy() keyspace.Policy {
	p, _ := keyspace.ParsePolicy(s.settings().MaxMemoryPolicy)
	return p
}

// rejectForMemory evicts keys if maxmemory is set and replies the OOM
// error, returning true, if cmd must be refused.
func (c *conn) rejectForMemory(cmd *command, args [][]byte) bool {
	st := c.srv.settings()
	if st.MaxMemory == 0 {
		return false
	}
	deny := slices.Contains(cmd.meta.flags, "denyoom") || (cmd.name == "exec" && c.tx.denyOOM)
	if c.tx.active {
		switch cmd.name {
		case "exec", "discard", "quit", "reset":
		default:
			deny = true
		}
	}
	if !deny && cmd.flags&flagKeyspace == 0 {
		return false // nothing to refuse, and nothing the command adds
	}
	policy, _ := keyspace.ParsePolicy(st.MaxMemoryPolicy)
	c.lockKeyspace()
	ok := c.srv.ks.Evict(st.MaxMemory, policy, st.MaxMemorySamples)
	c.unlockKeyspace()
	if ok || !deny {
		return false
	}
	c.rejectCommand(args[0], errOOM)
	return true
}

// evictNow evicts down to maxmemory at once, as Redis does when CONFIG
// SET lowers maxmemory. The keyspace lock must not be held unless inExec
// says so.
func (c *conn) evictNow() {
	st := c.srv.settings()
	if st.MaxMemory == 0 {
		return
	}
	policy, _ := keyspace.ParsePolicy(st.MaxMemoryPolicy)
	if c.inExec {
		c.srv.ks.Evict(st.MaxMemory, policy, st.MaxMemorySamples)
		return
	}
	c.lockKeyspace()
	c.srv.ks.Evict(st.MaxMemory, policy, st.MaxMemorySamples)
	c.unlockKeyspace()
}

// usedMemory returns what maxmemory compares with. Keyspace lock held.
func (s *Server) usedMemory() int64 { return s.ks.UsedMemory() }

// setMaxMemory is CONFIG SET maxmemory: a memory amount, 0 for none.
func setMaxMemory(cfg *Config, v string) error {
	n, ok := parseMemory(v)
	if !ok || n > math.MaxInt64 {
		return errors.New("argument must be a memory value")
	}
	cfg.MaxMemory = int64(n)
	return nil
}

// policyChoices is how Redis lists the policies in its error.
const policyChoices = "volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"

func setMaxMemoryPolicy(cfg *Config, v string) error {
	p, ok := keyspace.ParsePolicy(v)
	if !ok {
		return fmt.Errorf("argument(s) must be one of the following: %s", policyChoices)
	}
	cfg.MaxMemoryPolicy = p.String()
	return nil
}

func setMaxMemorySamples(cfg *Config, v string) error {
	n, err := integerArg(v, 1, math.MaxInt32)
	if err == nil {
		cfg.MaxMemorySamples = int(n)
	}
	return err
}

// ParseMaxMemoryPolicy checks a maxmemory-policy name for the command
// line and returns it as Redis spells it.
func ParseMaxMemoryPolicy(v string) (string, error) {
	p, ok := keyspace.ParsePolicy(v)
	if !ok {
		return "", fmt.Errorf("must be one of %s", policyChoices)
	}
	return p.String(), nil
}

// infoMaxMemory adds INFO's maxmemory fields.
func (s *Server) infoMaxMemory(b *infoBuilder) {
	st := s.settings()
	b.add("maxmemory", strconv.FormatInt(st.MaxMemory, 10))
	b.add("maxmemory_human", bytesToHuman(uint64(st.MaxMemory)))
	b.add("maxmemory_policy", lowerASCII(st.MaxMemoryPolicy))
}
