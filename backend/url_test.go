package backend

import (
	"slices"
	"strings"
	"testing"
)

// TestParseURL checks the backend URL forms.
func TestParseURL(t *testing.T) {
	cases := []struct {
		url           string
		cluster       bool
		addrs         []string
		user, pass    string
		db            int
		tls, errMatch string
	}{
		{url: "redis://h:6380/2", addrs: []string{"h:6380"}, db: 2},
		{url: "redis://u:p@h:1", addrs: []string{"h:1"}, user: "u", pass: "p"},
		{url: "redis://:p@h:1/0", addrs: []string{"h:1"}, pass: "p"},
		{url: "rediss://h:1", addrs: []string{"h:1"}, tls: "h"},
		{url: "unix:///tmp/r.sock?db=3", addrs: []string{"/tmp/r.sock"}, db: 3},
		{url: "redis-cluster://a:1,b:2,c:3", cluster: true, addrs: []string{"a:1", "b:2", "c:3"}},
		{url: "redis-cluster://u:p@a:1,b:2/", cluster: true, addrs: []string{"a:1", "b:2"}, user: "u", pass: "p"},
		{url: "rediss-cluster://a:1,b:2?skip_verify=true", cluster: true, addrs: []string{"a:1", "b:2"}, tls: "a"},
		{url: "redis-cluster://a:1/1", errMatch: "database 0"},
		{url: "memcached://h:1", errMatch: "unknown URL scheme"},
		{url: "h:6379", errMatch: "not a URL"},
		{url: "redis-cluster://", errMatch: "no cluster node"},
	}
	for _, c := range cases {
		got, err := parseURL(c.url)
		if c.errMatch != "" {
			if err == nil || !strings.Contains(err.Error(), c.errMatch) {
				t.Errorf("%s: error %v, want one mentioning %q", c.url, err, c.errMatch)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		o := got.option
		tlsName := ""
		if o.TLSConfig != nil {
			tlsName = o.TLSConfig.ServerName
		}
		if got.cluster != c.cluster || !slices.Equal(o.InitAddress, c.addrs) || o.Username != c.user ||
			o.Password != c.pass || o.SelectDB != c.db || tlsName != c.tls {
			t.Errorf("%s: cluster=%v addrs=%q user=%q pass=%q db=%d tls=%q", c.url, got.cluster, o.InitAddress,
				o.Username, o.Password, o.SelectDB, tlsName)
		}
	}
	if r := redact("redis://u:secret@h:1/0"); strings.Contains(r, "secret") {
		t.Errorf("redact left the password: %s", r)
	}
}

// TestSlotOf checks the hash slot function against values from redis-cli
// CLUSTER KEYSLOT.
func TestSlotOf(t *testing.T) {
	for name, want := range map[string]int{
		"foo": 12182, "bar": 5061, "": 0, "{user1}.a": slotOf("user1"), "a{}b": slotOf("a{}b"),
		"123456789": 12739,
	} {
		if got := slotOf(name); got != want {
			t.Errorf("slotOf(%q) = %d, want %d", name, got, want)
		}
	}
}
