package token

import "testing"

// The gateway consumes a Grant through an interface of this shape.
var _ interface {
	CanSubscribe(channel string) bool
	CanPSubscribe(pattern string) bool
	CanPublish(channel string) bool
	Identity() string
} = (*Grant)(nil)

func TestGrantRules(t *testing.T) {
	g := &Grant{
		Subject:   "user:42",
		Subscribe: []string{"orders:*", "chat:room?", "tick:[a-c]", "news:[^x]*", `lit\*`},
		Publish:   []string{"chat:*", "exact"},
	}
	cases := []struct {
		check func(string) bool
		name  string
		arg   string
		want  bool
	}{
		// CanSubscribe: some glob matches the channel.
		{g.CanSubscribe, "sub star", "orders:42", true},
		{g.CanSubscribe, "sub star crosses separators", "orders:42:items/7", true},
		{g.CanSubscribe, "sub star needs its prefix", "order:42", false},
		{g.CanSubscribe, "sub question mark", "chat:room1", true},
		{g.CanSubscribe, "sub question mark is one byte", "chat:room12", false},
		{g.CanSubscribe, "sub question mark needs a byte", "chat:room", false},
		{g.CanSubscribe, "sub class", "tick:b", true},
		{g.CanSubscribe, "sub outside class", "tick:d", false},
		{g.CanSubscribe, "sub negated class", "news:sport", true},
		{g.CanSubscribe, "sub negated class refuses", "news:xyz", false},
		{g.CanSubscribe, "sub escaped star is literal", `lit*`, true},
		{g.CanSubscribe, "sub escaped star matches nothing else", `litx`, false},
		{g.CanSubscribe, "sub nothing matches the empty channel", "", false},
		// CanPSubscribe: the pattern must equal a subscribe glob.
		{g.CanPSubscribe, "psub equal glob", "orders:*", true},
		{g.CanPSubscribe, "psub narrower glob", "orders:1*", false},
		{g.CanPSubscribe, "psub broader glob", "*", false},
		{g.CanPSubscribe, "psub a channel the glob matches", "orders:1", false},
		{g.CanPSubscribe, "psub equal class glob", "tick:[a-c]", true},
		{g.CanPSubscribe, "psub equivalent but different class", "tick:[abc]", false},
		{g.CanPSubscribe, "psub equal escaped glob", `lit\*`, true},
		// CanPublish uses the publish globs only.
		{g.CanPublish, "pub star", "chat:room1", true},
		{g.CanPublish, "pub exact", "exact", true},
		{g.CanPublish, "pub not exact", "exact2", false},
		{g.CanPublish, "pub a subscribe-only channel", "orders:1", false},
	}
	for _, tc := range cases {
		if got := tc.check(tc.arg); got != tc.want {
			t.Errorf("%s: %q = %v, want %v", tc.name, tc.arg, got, tc.want)
		}
	}
}

// TestGrantAllChannels checks Redis's "&*" rule, seen with ACL DRYRUN on
// redis-server 7.0.15: the glob "*" alone allows every channel, the empty
// one included, and every pattern, while "**" is an ordinary glob.
func TestGrantAllChannels(t *testing.T) {
	all := &Grant{Subscribe: []string{"*"}, Publish: []string{"*"}}
	for _, arg := range []string{"", "a", "orders:1", "*", "orders:1*", "[a-"} {
		if !all.CanSubscribe(arg) || !all.CanPSubscribe(arg) || !all.CanPublish(arg) {
			t.Errorf("grant of \"*\" refuses %q", arg)
		}
	}
	double := &Grant{Subscribe: []string{"**"}}
	if double.CanSubscribe("") || double.CanPSubscribe("orders:*") || double.CanPSubscribe("*") {
		t.Error(`"**" acts as allchannels`)
	}
	if !double.CanSubscribe("anything") || !double.CanPSubscribe("**") {
		t.Error(`"**" is not an ordinary glob`)
	}
}

func TestGrantEmptyAndNil(t *testing.T) {
	var nilGrant *Grant
	for _, g := range []*Grant{nilGrant, {Subject: "a"}} {
		for _, arg := range []string{"", "a", "*"} {
			if g.CanSubscribe(arg) || g.CanPSubscribe(arg) || g.CanPublish(arg) {
				t.Errorf("grant %+v allows %q", g, arg)
			}
		}
	}
	if nilGrant.Identity() != "" {
		t.Error("nil grant has an identity")
	}
}
