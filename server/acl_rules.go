package server

import (
	"strings"

	"github.com/heraldhq/herald/internal/resp"
)

// The rules of ACL SETUSER and of ACL files, and the description of a user
// (ACL LIST, GETUSER, SAVE), as Redis 7.0.15's ACLSetUser, ACLSetSelector
// and ACLDescribeUser. A rule that fails returns one of the reasons below,
// which the caller puts in Redis's message.

// apply applies one rule to p, which must not be published yet. It
// returns "" or the reason the rule failed (errACLReason*). pubsubAll is
// acl-pubsub-default: the channels a new selector and "reset" start with.
func (p *aclPerms) apply(op string, pubsubAll bool) string {
	if op == "" {
		return "" // an empty rule does nothing
	}
	switch {
	case equalFoldASCII(op, "on"):
		p.enabled = true
	case equalFoldASCII(op, "off"):
		p.enabled = false
	case equalFoldASCII(op, "skip-sanitize-payload"):
		p.sanitize = 2
	case equalFoldASCII(op, "sanitize-payload"):
		p.sanitize = 1
	case equalFoldASCII(op, "nopass"):
		p.nopass = true
		p.passwords = nil
	case equalFoldASCII(op, "resetpass"):
		p.nopass = false
		p.passwords = nil
	case op[0] == '>' || op[0] == '#':
		hash := op[1:]
		if op[0] == '>' {
			hash = hashPassword(op[1:])
		} else if !validPasswordHash(hash) {
			return errACLReasonHash
		}
		if !containsString(p.passwords, hash) {
			p.passwords = append(p.passwords, hash)
		}
		p.nopass = false
	case op[0] == '<' || op[0] == '!':
		hash := op[1:]
		if op[0] == '<' {
			hash = hashPassword(op[1:])
		} else if !validPasswordHash(hash) {
			return errACLReasonHash
		}
		i := indexString(p.passwords, hash)
		if i < 0 {
			return errACLReasonNoPass
		}
		p.passwords = append(p.passwords[:i:i], p.passwords[i+1:]...)
	case op[0] == '(' && op[len(op)-1] == ')':
		s := newSelector(false, pubsubAll)
		words, _ := splitSelectorArgs(op[1 : len(op)-1])
		for _, w := range words {
			if reason := s.apply(w); reason != "" {
				return reason
			}
		}
		p.selectors = append(p.selectors, s)
	case equalFoldASCII(op, "clearselectors"):
		p.selectors = p.selectors[:1]
	case equalFoldASCII(op, "reset"):
		p.apply("resetpass", pubsubAll)
		p.apply("resetkeys", pubsubAll)
		p.apply("resetchannels", pubsubAll)
		if pubsubAll {
			p.apply("allchannels", pubsubAll)
		}
		p.apply("off", pubsubAll)
		p.apply("sanitize-payload", pubsubAll)
		p.apply("clearselectors", pubsubAll)
		p.apply("-@all", pubsubAll)
	default:
		return p.root().apply(op)
	}
	return ""
}

// apply applies a rule of a selector: keys, channels and commands.
func (s *aclSelector) apply(op string) string {
	switch {
	case op == "":
		// Redis's ACLSetSelector finds no rule in it (an empty word in a
		// selector: "('')"); ACL SETUSER skips an empty rule before.
		return errACLReasonSyntax
	case equalFoldASCII(op, "allkeys") || op == "~*":
		s.allKeys = true
		s.patterns = nil
	case equalFoldASCII(op, "resetkeys"):
		s.allKeys = false
		s.patterns = nil
	case equalFoldASCII(op, "allchannels") || op == "&*":
		s.allChannels = true
		s.channels = nil
	case equalFoldASCII(op, "resetchannels"):
		s.allChannels = false
		s.channels = nil
	case equalFoldASCII(op, "allcommands") || equalFoldASCII(op, "+@all"):
		s.allowed.setAll(true)
		s.future = true
		s.firstArgs = nil
	case equalFoldASCII(op, "nocommands") || equalFoldASCII(op, "-@all"):
		s.allowed.setAll(false)
		s.future = false
		s.firstArgs = nil
	case op[0] == '~' || op[0] == '%':
		return s.addKeyPattern(op)
	case op[0] == '&':
		if s.allChannels {
			return errACLReasonAllChannels
		}
		if !containsString(s.channels, op[1:]) {
			s.channels = append(s.channels, op[1:])
		}
	case op[0] == '+' && (len(op) < 2 || op[1] != '@'):
		return s.allowCommand(op[1:])
	case op[0] == '-' && (len(op) < 2 || op[1] != '@'):
		id := aclLookupCommand(op[1:])
		if id < 0 {
			return errACLReasonUnknown
		}
		s.changePerm(id, false)
	case op[0] == '+' || op[0] == '-':
		cat := aclCategory(op[2:])
		if cat == 0 {
			return errACLReasonUnknown
		}
		s.allowed.changeCategory(cat, op[0] == '+', func(id int) { delete(s.firstArgs, id) })
	default:
		return errACLReasonSyntax
	}
	return ""
}

// addKeyPattern applies ~pattern and %R~ / %W~ / %RW~pattern. As in Redis
// 7.0.15, "%R" with no '~' adds an empty pattern.
func (s *aclSelector) addKeyPattern(op string) string {
	if s.allKeys {
		return errACLReasonAllKeys
	}
	flags, offset := aclRW, 1
	if op[0] == '%' {
		flags = 0
		for ; offset < len(op); offset++ {
			switch {
			case (op[offset] == 'R' || op[offset] == 'r') && flags&aclRead == 0:
				flags |= aclRead
				continue
			case (op[offset] == 'W' || op[offset] == 'w') && flags&aclWrite == 0:
				flags |= aclWrite
				continue
			case op[offset] == '~':
				offset++
			default:
				return errACLReasonSyntax
			}
			break
		}
	}
	if flags == 0 {
		return errACLReasonSyntax
	}
	pattern := op[min(offset, len(op)):]
	for i := range s.patterns {
		if s.patterns[i].pattern == pattern {
			s.patterns[i].flags |= flags
			return ""
		}
	}
	s.patterns = append(s.patterns, keyPattern{pattern: pattern, flags: flags})
	return ""
}

// allowCommand applies +command, +container|subcommand and +command|firstarg.
func (s *aclSelector) allowCommand(name string) string {
	bar := strings.LastIndexByte(name, '|')
	if bar < 0 {
		id := aclLookupCommand(name)
		if id < 0 {
			return errACLReasonUnknown
		}
		s.changePerm(id, true)
		return ""
	}
	id := aclLookupCommand(name[:bar])
	switch {
	case id < 0:
		return errACLReasonUnknown
	case aclCommands[id].parent >= 0:
		return errACLReasonFirstArgSub
	case bar == len(name)-1:
		return errACLReasonSyntax
	case len(aclCommands[id].subs) > 0:
		sub := aclLookupCommand(name)
		if sub < 0 {
			return errACLReasonUnknown
		}
		s.changePerm(sub, true)
	default:
		// Redis's first-arg rule (SELECT|0): deprecated there, kept for
		// the ACL files that use it.
		arg := name[bar+1:]
		for _, a := range s.firstArgs[id] {
			if equalFoldASCII(a, arg) {
				return ""
			}
		}
		if s.firstArgs == nil {
			s.firstArgs = make(map[int][]string)
		}
		s.firstArgs[id] = append(s.firstArgs[id], arg)
	}
	return ""
}

// changePerm is Redis's ACLChangeSelectorPerm: the command's bit, its
// subcommands' if a container, and no first arguments for it any more.
func (s *aclSelector) changePerm(id int, on bool) {
	s.allowed.changePerm(id, on)
	delete(s.firstArgs, id)
}

// describeUser is Redis's ACLDescribeUser: flags, password hashes, the
// root selector, then each other selector in parentheses.
func (p *aclPerms) describe() string {
	var b strings.Builder
	for _, f := range p.flags() {
		b.WriteString(f)
		b.WriteByte(' ')
	}
	for _, h := range p.passwords {
		b.WriteString("#" + h + " ")
	}
	for i, s := range p.selectors {
		if i == 0 {
			b.WriteString(s.describe())
		} else {
			b.WriteString(" (" + s.describe() + ")")
		}
	}
	return b.String()
}

// flags are the user's flags in Redis's order.
func (p *aclPerms) flags() []string {
	var out []string
	if p.enabled {
		out = append(out, "on")
	} else {
		out = append(out, "off")
	}
	if p.nopass {
		out = append(out, "nopass")
	}
	switch p.sanitize {
	case 2:
		out = append(out, "skip-sanitize-payload")
	case 1:
		out = append(out, "sanitize-payload")
	}
	return out
}

// describe is Redis's ACLDescribeSelector.
func (s *aclSelector) describe() string {
	var b strings.Builder
	if s.allKeys {
		b.WriteString("~* ")
	} else {
		for _, p := range s.patterns {
			b.WriteString(p.String() + " ")
		}
	}
	if s.allChannels {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, c := range s.channels {
			b.WriteString("&" + c + " ")
		}
	}
	b.WriteString(s.describeCommands())
	return b.String()
}

func (p keyPattern) String() string {
	switch p.flags {
	case aclRead:
		return "%R~" + p.pattern
	case aclWrite:
		return "%W~" + p.pattern
	}
	return "~" + p.pattern
}

// keysDescription and channelsDescription are GETUSER's "keys" and
// "channels".
func (s *aclSelector) keysDescription() string {
	if s.allKeys {
		return "~*"
	}
	out := make([]string, len(s.patterns))
	for i, p := range s.patterns {
		out[i] = p.String()
	}
	return strings.Join(out, " ")
}

func (s *aclSelector) channelsDescription() string {
	if s.allChannels {
		return "&*"
	}
	out := make([]string, len(s.channels))
	for i, c := range s.channels {
		out[i] = "&" + c
	}
	return strings.Join(out, " ")
}

// describeCommands is Redis 7.0.15's ACLDescribeSelectorCommandRules: +@all
// or -@all, then the categories that best fit the bitmap, one at a time,
// then the single commands (and first arguments) that still differ. The
// fit counts Redis's commands only, so the categories chosen are Redis's;
// Redis lists the single commands in its hash table's order, which
// changes from run to run, and Herald in its table's.
func (s *aclSelector) describeCommands() string {
	var b strings.Builder
	fake := newCommandBits()
	additive := !s.future
	if additive {
		b.WriteString("-@all ")
	} else {
		b.WriteString("+@all ")
		fake.setAll(true)
	}
	temp := append(commandBits(nil), s.allowed...)
	applied := make([]bool, len(aclCategoryNames))
	for {
		best, minDiff, maxSame := -1, int(^uint(0)>>1), 0
		for j := range aclCategoryNames {
			if applied[j] {
				continue
			}
			on, off := countCategory(temp, 1<<j)
			diff, same := on, off
			if additive {
				diff, same = off, on
			}
			if same > diff && (diff < minDiff || (diff == minDiff && same > maxSame)) {
				best, minDiff, maxSame = j, diff, same
			}
		}
		if best < 0 {
			break
		}
		if additive {
			b.WriteString("+@" + aclCategoryNames[best] + " ")
		} else {
			b.WriteString("-@" + aclCategoryNames[best] + " ")
		}
		fake.changeCategory(1<<best, additive, nil)
		temp.changeCategory(1<<best, !additive, nil)
		applied[best] = true
	}
	for _, id := range aclTopLevel {
		s.describeSingle(&b, fake, id)
	}
	return strings.TrimSuffix(b.String(), " ")
}

// describeSingle is Redis's ACLDescribeSelectorCommandRulesSingleCommands
// for one command and its subcommands.
//
// The commands Herald has and Redis 7.0.15 lacks (CLIENT SETINFO and
// NO-TOUCH, from 7.2) are left out, so that descriptions are Redis's: they
// follow their container and categories, and a rule naming one alone is
// not described (nor saved).
func (s *aclSelector) describeSingle(b *strings.Builder, fake commandBits, id int) {
	user := s.allowed.get(id)
	if user != fake.get(id) && aclCommands[id].redis {
		if user {
			b.WriteString("+")
		} else {
			b.WriteString("-")
		}
		b.WriteString(aclCommands[id].name + " ")
		fake.changePerm(id, user)
	}
	for _, sub := range aclCommands[id].subs {
		s.describeSingle(b, fake, sub)
	}
	if !user {
		for _, arg := range s.firstArgs[id] {
			b.WriteString("+" + aclCommands[id].name + "|" + arg + " ")
		}
	}
}

// countCategory counts the commands of Redis's table in a category whose
// bits are on and off.
func countCategory(bits commandBits, cat uint32) (on, off int) {
	for id := range aclCommands {
		c := &aclCommands[id]
		if !c.redis || c.categories&cat == 0 {
			continue
		}
		if bits.get(id) {
			on++
		} else {
			off++
		}
	}
	return on, off
}

// mergeSelectorArgs is Redis's ACLMergeSelectorArguments: the arguments
// from one starting with '(' to one ending with ')' make one rule, joined
// by spaces. bad is the index of an unclosed selector's first argument,
// or -1.
func mergeSelectorArgs(args []string) (merged []string, bad int) {
	open := -1
	var sel string
	for i, op := range args {
		// As in Redis, an argument opening a selector inside another one
		// starts over.
		if len(op) > 0 && op[0] == '(' && op[len(op)-1] != ')' {
			sel, open = op, i
			continue
		}
		if open >= 0 {
			sel += " " + op
			if len(op) > 0 && op[len(op)-1] == ')' {
				merged = append(merged, sel)
				open = -1
			}
			continue
		}
		merged = append(merged, op)
	}
	if open >= 0 {
		return nil, open
	}
	return merged, -1
}

// splitSelectorArgs splits the inside of "( ... )" into rules as Redis's
// sdssplitargs (resp.SplitArgs, checked against redis-server): blanks
// separate, double quotes (with \ escapes, \xHH included) and single
// quotes group. ok is false for unbalanced quotes, when Redis applies no
// rule at all.
func splitSelectorArgs(s string) (words []string, ok bool) {
	args, ok := resp.SplitArgs([]byte(s))
	if !ok {
		return nil, false
	}
	for _, a := range args {
		words = append(words, string(a))
	}
	return words, true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func indexString(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
