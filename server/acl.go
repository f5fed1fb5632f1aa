package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/heraldhq/herald/internal/glob"
)

// ACL users and their permissions, as Redis 7.0.15's acl.c models them.
//
// A user is a stable handle (aclUser) whose permissions (aclPerms) are
// immutable once published: ACL SETUSER builds a new aclPerms from a copy
// and swaps it in, so a connection checks a command against a snapshot
// without a lock. The store's lock serializes changes to the set of users
// and to one user's permissions; nothing else takes it on a command's path.
//
// Command permissions are a bitmap over the command universe: every
// command and subcommand redis-server 7.0.15 has (redisCommandCategories,
// cmd_acl_docs.go), then the few Herald has that 7.0 lacks. Rules may name
// any command of the universe, as in Redis (an ACL file written for Redis
// loads), though Herald runs only its own. Redis describes a user's command
// rules by fitting categories to the bitmap, counting over its whole table;
// counting over the same table gives the same description.

// aclReason is why a command was refused, with Redis's values: when no
// selector allows a command, the largest reason is reported.
type aclReason int

const (
	aclOK aclReason = iota
	aclDeniedCmd
	aclDeniedKey
	aclDeniedAuth
	aclDeniedChannel
)

// Key permission bits of a key pattern (Redis's ACL_READ_PERMISSION ...).
const (
	aclRead  uint8 = 1 << 0
	aclWrite uint8 = 1 << 1
	aclRW          = aclRead | aclWrite
)

// aclCategoryNames are Redis 7.0's ACL categories in Redis's order (ACL
// CAT); a command's categories are a bit set over this list.
var aclCategoryNames = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast",
	"slow", "blocking", "dangerous", "connection", "transaction", "scripting",
}

// aclCategory returns the bit of a category name, in any case, or 0.
func aclCategory(name string) uint32 {
	for i, c := range aclCategoryNames {
		if equalFoldASCII(c, name) {
			return 1 << i
		}
	}
	return 0
}

// aclCommand is one command of the universe; its index is its ID.
type aclCommand struct {
	name       string // full name, "client|kill"
	categories uint32
	parent     int   // ID of the container, -1 for a top-level command
	subs       []int // IDs of the subcommands of a container
	redis      bool  // redis-server 7.0.15 has it: counted when describing
}

var (
	aclCommands   []aclCommand
	aclCommandIDs map[string]int   // by full name
	aclHeraldIDs  map[*command]int // Herald's commands' IDs
	aclTopLevel   []int            // IDs of the top-level commands, in order
)

func init() {
	aclCommandIDs = make(map[string]int)
	add := func(name string, cats uint32, redis bool) {
		if _, ok := aclCommandIDs[name]; ok {
			return
		}
		id := len(aclCommands)
		parent := -1
		if container, _, ok := strings.Cut(name, "|"); ok {
			parent = aclCommandIDs[container] // containers come first
			aclCommands[parent].subs = append(aclCommands[parent].subs, id)
		} else {
			aclTopLevel = append(aclTopLevel, id)
		}
		aclCommands = append(aclCommands, aclCommand{name: name, categories: cats, parent: parent, redis: redis})
		aclCommandIDs[name] = id
	}
	for _, c := range redisCommandCategories {
		var cats uint32
		for _, name := range c.categories {
			cats |= aclCategory(name)
		}
		add(c.name, cats, true)
	}
	aclHeraldIDs = make(map[*command]int)
	heraldCats := func(cmd *command) uint32 {
		var cats uint32
		for _, name := range cmd.meta.categories {
			cats |= aclCategory(strings.TrimPrefix(name, "@"))
		}
		return cats
	}
	for _, cmd := range commands.sorted() {
		add(cmd.name, heraldCats(cmd), false)
		aclHeraldIDs[cmd] = aclCommandIDs[cmd.name]
		for _, sub := range cmd.sortedSubs() {
			add(sub.name, heraldCats(sub), false)
			aclHeraldIDs[sub] = aclCommandIDs[sub.name]
		}
	}
}

// aclLookupCommand finds a command of the universe by name, "get" or
// "client|kill", in any case, as Redis's ACLLookupCommand: -1 if none. A
// container's name with a subcommand it lacks, or a subcommand of a
// command without subcommands, is no command.
func aclLookupCommand(name string) int {
	name = lowerASCII(name)
	if strings.Count(name, "|") > 1 {
		return -1
	}
	container, sub, hasSub := strings.Cut(name, "|")
	id, ok := aclCommandIDs[container]
	if !ok {
		return -1
	}
	if !hasSub {
		return id
	}
	if len(aclCommands[id].subs) == 0 {
		return -1
	}
	if subID, ok := aclCommandIDs[name]; ok && sub != "" {
		return subID
	}
	return -1
}

// commandBits is a set of command IDs.
type commandBits []uint64

func newCommandBits() commandBits { return make(commandBits, (len(aclCommands)+63)/64) }

func (b commandBits) get(id int) bool { return b[id/64]&(1<<(id%64)) != 0 }

func (b commandBits) set(id int, on bool) {
	if on {
		b[id/64] |= 1 << (id % 64)
	} else {
		b[id/64] &^= 1 << (id % 64)
	}
}

func (b commandBits) setAll(on bool) {
	for i := range b {
		b[i] = 0
	}
	if on {
		for id := range aclCommands {
			b.set(id, true)
		}
	}
}

// changePerm sets a command's bit and, for a container, its subcommands',
// as Redis's ACLChangeSelectorPerm.
func (b commandBits) changePerm(id int, on bool) {
	b.set(id, on)
	for _, sub := range aclCommands[id].subs {
		b.set(sub, on)
	}
}

// changeCategory applies +@category or -@category.
func (b commandBits) changeCategory(cat uint32, on bool, touched func(id int)) {
	for id := range aclCommands {
		if aclCommands[id].categories&cat != 0 {
			b.changePerm(id, on)
			if touched != nil {
				touched(id)
			}
		}
	}
}

// keyPattern is a key pattern and the permissions it grants.
type keyPattern struct {
	pattern string
	flags   uint8
}

// aclSelector is one set of command, key and channel permissions: the
// root selector of a user, or one in parentheses.
type aclSelector struct {
	root        bool
	allKeys     bool
	allChannels bool
	// future: the user can run commands added later (Redis's reserved
	// bit, set only by +@all and cleared by -@all): the description then
	// starts with +@all.
	future    bool
	allowed   commandBits
	firstArgs map[int][]string // allowed first arguments of a command whose bit is off
	patterns  []keyPattern
	channels  []string
}

func newSelector(root, allChannels bool) *aclSelector {
	return &aclSelector{root: root, allChannels: allChannels, allowed: newCommandBits()}
}

func (s *aclSelector) clone() *aclSelector {
	out := *s
	out.allowed = append(commandBits(nil), s.allowed...)
	out.patterns = append([]keyPattern(nil), s.patterns...)
	out.channels = append([]string(nil), s.channels...)
	out.firstArgs = nil
	if len(s.firstArgs) > 0 {
		out.firstArgs = make(map[int][]string, len(s.firstArgs))
		for id, args := range s.firstArgs {
			out.firstArgs[id] = append([]string(nil), args...)
		}
	}
	return &out
}

// aclPerms is what a user may do and how it authenticates. Immutable once
// published on an aclUser.
type aclPerms struct {
	enabled bool // "on"; a new user is "off"
	nopass  bool
	// sanitize: 0 neither flag, 1 sanitize-payload, 2 skip-sanitize-payload
	// (Herald has no RESTORE; the flags are kept and described).
	sanitize  int8
	passwords []string // SHA-256 hex of each password, in order added
	selectors []*aclSelector
}

func (p *aclPerms) clone() *aclPerms {
	out := *p
	out.passwords = append([]string(nil), p.passwords...)
	out.selectors = make([]*aclSelector, len(p.selectors))
	for i, s := range p.selectors {
		out.selectors[i] = s.clone()
	}
	return &out
}

func (p *aclPerms) root() *aclSelector { return p.selectors[0] }

// newUserPerms are a user's permissions when ACL SETUSER creates it:
// "off resetchannels -@all", or &* with acl-pubsub-default allchannels.
func newUserPerms(pubsubAll bool) *aclPerms {
	return &aclPerms{selectors: []*aclSelector{newSelector(true, pubsubAll)}}
}

// defaultUserPerms are the default user's: on nopass ~* &* +@all.
func defaultUserPerms() *aclPerms {
	p := newUserPerms(false)
	for _, op := range []string{"on", "nopass", "~*", "&*", "+@all"} {
		if err := p.apply(op, false); err != "" {
			panic("default user rule " + op + ": " + err)
		}
	}
	return p
}

// aclUser is a user's stable handle: connections authenticated as a user
// keep the handle; ACL SETUSER swaps in a new immutable *aclPerms, so
// checks never lock.
type aclUser struct {
	name  string
	perms atomic.Pointer[aclPerms]
	// deleted: ACL DELUSER removed the user, or ACL LOAD replaced it (all
	// but the default user). Its connections are to be disconnected.
	deleted atomic.Bool
}

func newACLUser(name string, p *aclPerms) *aclUser {
	u := &aclUser{name: name}
	u.perms.Store(p)
	return u
}

// aclStore holds all users; one per Server.
type aclStore struct {
	mu        sync.RWMutex
	users     map[string]*aclUser // guarded by mu
	def       *aclUser            // the default user: never replaced
	pubsubAll bool                // acl-pubsub-default allchannels; guarded by mu

	logMu sync.Mutex
	log   []*aclLogEntry // newest first; guarded by logMu
}

// newACLStore returns a store with the "default" user: on nopass ~* &* +@all.
func newACLStore() *aclStore {
	def := newACLUser("default", defaultUserPerms())
	return &aclStore{users: map[string]*aclUser{"default": def}, def: def}
}

// acl returns the server's users.
func (s *Server) acl() *aclStore { return s.aclStore }

// user returns the user called name, nil if there is none.
func (a *aclStore) user(name string) *aclUser {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.users[name]
}

func (a *aclStore) defaultUser() *aclUser { return a.def }

// sortedUsers returns the users by name, as Redis's radix tree orders them.
func (a *aclStore) sortedUsers() []*aclUser {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]*aclUser, 0, len(a.users))
	for _, u := range a.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// authenticate checks a user's password in constant time (the SHA-256 of
// pass against each stored hash). ok is false for an unknown or disabled
// user and a wrong password; a nopass user accepts any password.
func (a *aclStore) authenticate(name, pass []byte) (u *aclUser, ok bool) {
	u = a.user(string(name))
	if u == nil {
		return nil, false
	}
	p := u.perms.Load()
	if !p.enabled {
		return nil, false
	}
	if p.nopass {
		return u, true
	}
	sum := sha256.Sum256(pass)
	hash := []byte(hex.EncodeToString(sum[:]))
	match := 0
	for _, h := range p.passwords {
		match |= subtle.ConstantTimeCompare(hash, []byte(h))
	}
	if match == 1 {
		return u, true
	}
	return nil, false
}

// setRequirePass applies CONFIG SET requirepass / --requirepass to the
// default user as Redis 7.0 does: resetpass, then >pass, or nopass for "".
func (a *aclStore) setRequirePass(pass string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.def.perms.Load().clone()
	p.apply("resetpass", false)
	if pass == "" {
		p.apply("nopass", false)
	} else {
		p.apply(">"+pass, false)
	}
	a.def.perms.Store(p)
}

// setPubsubDefault sets acl-pubsub-default: whether a new user (and the
// reset rule) starts with allchannels rather than resetchannels.
func (a *aclStore) setPubsubDefault(all bool) {
	a.mu.Lock()
	a.pubsubAll = all
	a.mu.Unlock()
}

// authRequired reports Redis's rule: a client must authenticate when the
// default user has passwords (is not nopass) or is off.
func (a *aclStore) authRequired() bool {
	p := a.def.perms.Load()
	return !p.nopass || !p.enabled
}

// aclDenial says why a command was refused.
type aclDenial struct {
	reason aclReason // aclDeniedCmd, aclDeniedKey, aclDeniedChannel (aclDeniedAuth for LOG)
	object string    // the key / channel / command name that was refused
	argPos int       // index in args of the refused key or channel
}

// message is the text after "-NOPERM " as Redis 7.0.15 writes it, or with
// verbose what ACL DRYRUN replies. user is kept for the API: 7.0.15 does
// not name the user.
func (d aclDenial) message(user string, cmd *command, verbose bool) string {
	switch {
	case d.reason == aclDeniedKey && verbose:
		return "This user has no permissions to access the '" + d.object + "' key"
	case d.reason == aclDeniedKey:
		return "this user has no permissions to access one of the keys used as arguments"
	case d.reason == aclDeniedChannel && verbose:
		return "This user has no permissions to access the '" + d.object + "' channel"
	case d.reason == aclDeniedChannel:
		return "this user has no permissions to access one of the channels used as arguments"
	case verbose:
		return "This user has no permissions to run the '" + cmd.name + "' command"
	}
	return "this user has no permissions to run the '" + cmd.name + "' command"
}

// check decides whether p allows running cmd with args, as Redis's
// ACLCheckAllUserCommandPerm: allowed if one selector allows it; if none
// does, the denial reported is the largest reason, and among equal ones
// the last argument position.
func (p *aclPerms) check(cmd *command, args [][]byte) (d aclDenial, ok bool) {
	id, known := aclHeraldIDs[cmd]
	if !known {
		id = -1
	}
	relevant, last := aclDeniedCmd, 0
	var keys []aclKeyRef
	keysFound := false
	for _, s := range p.selectors {
		r, pos := s.checkCommand(cmd, id, args, &keys, &keysFound)
		if r == aclOK {
			return aclDenial{}, true
		}
		if r > relevant || (r == relevant && pos > last) {
			relevant, last = r, pos
		}
	}
	d = aclDenial{reason: relevant, argPos: last, object: cmd.name}
	if relevant != aclDeniedCmd && last < len(args) {
		d.object = string(args[last])
	}
	return d, false
}

// aclKeyRef is a key argument of a command and what the command does with it.
type aclKeyRef struct {
	pos   int
	flags uint8 // aclRead, aclWrite
}

// checkCommand is Redis's ACLSelectorCheckCmd: the command's bit (or an
// allowed first argument), then its keys, then its channels.
func (s *aclSelector) checkCommand(cmd *command, id int, args [][]byte, keys *[]aclKeyRef, keysFound *bool) (aclReason, int) {
	if cmd.flags&flagNoAuth == 0 && (id < 0 || !s.allowed.get(id)) {
		if id < 0 || len(args) < 2 || len(s.firstArgs[id]) == 0 {
			return aclDeniedCmd, 0
		}
		idx := 1
		if cmd.parent != nil {
			idx = 2
		}
		if idx >= len(args) {
			return aclDeniedCmd, 0
		}
		allowed := false
		for _, a := range s.firstArgs[id] {
			if equalFoldASCII(a, string(args[idx])) {
				allowed = true
				break
			}
		}
		if !allowed {
			return aclDeniedCmd, 0
		}
	}
	if !s.allKeys {
		if !*keysFound {
			*keys = commandKeys(cmd, args)
			*keysFound = true
		}
		for _, k := range *keys {
			if !s.keyAllowed(args[k.pos], k.flags) {
				return aclDeniedKey, k.pos
			}
		}
	}
	if !s.allChannels {
		first, last, isPattern := commandChannels(cmd, args)
		for i := first; i <= last && i < len(args); i++ {
			if !channelAllowed(s.channels, args[i], isPattern) {
				return aclDeniedChannel, i
			}
		}
	}
	return aclOK, 0
}

// keyAllowed is Redis's ACLSelectorCheckKey: a pattern that grants every
// permission the access needs and matches the key.
func (s *aclSelector) keyAllowed(key []byte, need uint8) bool {
	for _, p := range s.patterns {
		if p.flags&need == need && glob.Match([]byte(p.pattern), key) {
			return true
		}
	}
	return false
}

// channelAllowed is Redis's ACLCheckChannelAgainstList: a channel matches
// the user's channel patterns as a glob; a pattern (PSUBSCRIBE) must equal
// one of them literally.
func channelAllowed(list []string, name []byte, isPattern bool) bool {
	for _, p := range list {
		if isPattern {
			if p == string(name) {
				return true
			}
		} else if glob.MatchIn(p, name) { // no copy of p: PUBLISH checks it
			return true
		}
	}
	return false
}

// commandKeys returns the key arguments of a command line by its key
// specs, with the permissions each needs: read for "access", write for
// "insert", "delete" and "update", as Redis's ACLSelectorCheckKey. As
// Redis's getKeysFromCommandWithSpecs, a spec that does not fit the line
// makes the command have no keys, unless Redis has a getkeys function for
// it to fall back on (aclGenericKeys).
func commandKeys(cmd *command, args [][]byte) []aclKeyRef {
	doc := commandDocs[cmd.name]
	if doc == nil {
		return nil
	}
	if cmd.name == "set" {
		return setKeys(args)
	}
	var out []aclKeyRef
	for _, spec := range doc.keySpecs {
		if containsFold(spec.flags, "not_key") {
			continue
		}
		first, last, ok := spec.keyRange(args)
		if !ok {
			if g, found := aclGenericKeys[cmd.name]; found {
				return g.keys(args)
			}
			return nil
		}
		var need uint8
		for _, f := range spec.flags {
			switch lowerASCII(f) {
			case "access":
				need |= aclRead
			case "insert", "delete", "update":
				need |= aclWrite
			}
		}
		for i := first; i <= last; i += max(spec.keyStep, 1) {
			out = append(out, aclKeyRef{pos: i, flags: need})
		}
	}
	return out
}

// genericKeys is Redis's genericGetKeys, the getkeys function of the
// commands with a number of keys, which Redis falls back on when the
// number is not what the key spec reads (string2l refuses "01", "+1",
// "1x"; atoi takes them): the keys, then the destination if any, needing
// no permission but a matching pattern.
type genericKeys struct{ storeKey, keyCount, firstKey, keyStep int }

var aclGenericKeys = map[string]genericKeys{
	"eval": {0, 2, 3, 1}, "evalsha": {0, 2, 3, 1}, "eval_ro": {0, 2, 3, 1}, "evalsha_ro": {0, 2, 3, 1},
	"fcall": {0, 2, 3, 1}, "fcall_ro": {0, 2, 3, 1},
	"zunionstore": {1, 2, 3, 1}, "zinterstore": {1, 2, 3, 1}, "zdiffstore": {1, 2, 3, 1},
	"zunion": {0, 1, 2, 1}, "zinter": {0, 1, 2, 1}, "zdiff": {0, 1, 2, 1},
	"sintercard": {0, 1, 2, 1}, "zintercard": {0, 1, 2, 1},
	"lmpop": {0, 1, 2, 1}, "zmpop": {0, 1, 2, 1}, "blmpop": {0, 2, 3, 1}, "bzmpop": {0, 2, 3, 1},
}

func (g genericKeys) keys(args [][]byte) []aclKeyRef {
	if g.keyCount >= len(args) {
		return nil
	}
	n := cAtoi(args[g.keyCount])
	if n < 1 || n > (len(args)-g.firstKey)/g.keyStep {
		return nil
	}
	out := make([]aclKeyRef, 0, n+1)
	for i := range n {
		out = append(out, aclKeyRef{pos: g.firstKey + i*g.keyStep})
	}
	if g.storeKey > 0 {
		out = append(out, aclKeyRef{pos: g.storeKey})
	}
	return out
}

// cAtoi is C's atoi: leading blanks (isspace), a sign, the digits up to
// the first other byte; 0 for none.
func cAtoi(b []byte) int {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	n := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n < 1<<31 {
			n = n*10 + int(b[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// setKeys is Redis's setGetKeys, which Redis uses for SET rather than its
// key spec, whose flags vary: SET reads its key only with GET.
func setKeys(args [][]byte) []aclKeyRef {
	if len(args) < 2 {
		return nil
	}
	for _, a := range args[min(3, len(args)):] {
		if equalFoldASCII(cString(a), "get") {
			return []aclKeyRef{{pos: 1, flags: aclRead | aclWrite}}
		}
	}
	return []aclKeyRef{{pos: 1, flags: aclWrite}}
}

// commandChannels returns the range of args that are channels whose
// permission Redis 7.0 checks (publishing and subscribing, not
// unsubscribing), and whether they are patterns. first > last for none.
func commandChannels(cmd *command, args [][]byte) (first, last int, isPattern bool) {
	switch cmd.name {
	case "publish", "spublish":
		return 1, 1, false
	case "subscribe", "ssubscribe":
		return 1, len(args) - 1, false
	case "psubscribe":
		return 1, len(args) - 1, true
	}
	return 1, 0, false
}

// mayHold reports whether p still allows a subscription that is held: a
// channel, or a pattern (equal to one of the user's channel patterns), in
// any selector, as Redis's ACLKillPubsubClientsIfNeeded.
func (p *aclPerms) mayHold(name string, isPattern bool) bool {
	for _, s := range p.selectors {
		if s.allChannels || channelAllowed(s.channels, []byte(name), isPattern) {
			return true
		}
	}
	return false
}

// hashPassword is Redis's ACLHashPassword: SHA-256, lower-case hex.
func hashPassword(pass string) string {
	sum := sha256.Sum256([]byte(pass))
	return hex.EncodeToString(sum[:])
}

// validPasswordHash is Redis's ACLCheckPasswordHash: 64 lower-case hex digits.
func validPasswordHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !(h[i] >= '0' && h[i] <= '9' || h[i] >= 'a' && h[i] <= 'f') {
			return false
		}
	}
	return true
}

// hasSpaces is Redis's ACLStringHasSpaces: a blank (isspace) or a NUL.
func hasSpaces(s string) bool {
	return strings.ContainsAny(s, " \t\n\v\f\r\x00")
}

// isCSpace is C's isspace.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v'
}
