package server

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// aclCleanup starts each ACL session: the suite's redis-server keeps its
// users and its log from one session to the next, a fresh Herald has none.
const aclCleanup = `
	z: ACL DELUSER u1 u2 u3 u4 "u 5" => 1 int
	z: ACL LOG RESET               => 1
`

// TestDiffACL compares ACL SETUSER with every rule, its errors, the
// descriptions in ACL LIST and GETUSER after sequences of rules, USERS,
// WHOAMI, CAT, DELUSER, DRYRUN, GENPASS's errors, LOG after failed AUTHs and
// SAVE/LOAD without an ACL file. A description Redis writes with more than
// one single command is in its hash table's order, which changes from run
// to run: those are compared by TestDiffACLDescribe.
func TestDiffACL(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		forProtocols("setuser flags and passwords", "a", aclCleanup+`
			a: ACL SETUSER u1 ""           => 1
			a: ACL SETUSER u1 "('')"       => 1
			a: ACL SETUSER u1 "(\"\" +get)" => 1
			a: ACL SETUSER u1 "()"         => 1
			a: ACL DELUSER u1              => 1
			a: ACL SETUSER u1              => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 on >pw1 >pw2 >pw1 => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 <pw1         => 1
			a: ACL SETUSER u1 <pw1         => 1
			a: ACL SETUSER u1 #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 => 1
			a: ACL SETUSER u1 !5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 => 1
			a: ACL SETUSER u1 !5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 => 1
			a: ACL SETUSER u1 #5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8 => 1
			a: ACL SETUSER u1 #abc         => 1
			a: ACL SETUSER u1 !abc         => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 nopass       => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 >x resetpass => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 OFF ON skip-sanitize-payload => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 sanitize-payload "" => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 reset        => 1
			a: ACL GETUSER u1              => 1
			a: ACL GETUSER nobody          => 1
			a: ACL LIST                    => 1
		`),
		forProtocols("setuser keys and channels", "a", aclCleanup+`
			a: ACL SETUSER u1 ~a* ~b ~a*   => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 %R~r* %W~w* %RW~rw* %wr~x => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 %R~a* %W~r*  => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 %X~a         => 1
			a: ACL SETUSER u1 %RR~a        => 1
			a: ACL SETUSER u1 %~a          => 1
			a: ACL SETUSER u1 %R           => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 allkeys      => 1
			a: ACL SETUSER u1 ~x           => 1
			a: ACL SETUSER u1 %R~x         => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 resetkeys ~k => 1
			a: ACL SETUSER u1 ~*           => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u2 &ch* &x &ch* => 1
			a: ACL GETUSER u2              => 1
			a: ACL SETUSER u2 allchannels  => 1
			a: ACL SETUSER u2 &y           => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u2 resetchannels &z => 1
			a: ACL SETUSER u2 &*           => 1
			a: ACL GETUSER u2              => 1
			a: ACL SETUSER u3 %RW~*        => 1
			a: ACL SETUSER u3 ~more        => 1
			a: ACL GETUSER u3              => 1
		`),
		forProtocols("setuser commands", "a", aclCleanup+`
			a: ACL SETUSER u1 +@all        => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -@dangerous  => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -get         => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 +get         => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 nocommands +@read => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 +@write      => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -@all +@pubsub => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 -publish     => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 allcommands -@pubsub +publish => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 -@all +client|kill => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -@all +@connection -client|kill => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -@all +CLIENT => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -@all -client +client|id => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -@all +select|0 +select|1 +SELECT|0 => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 +select      => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 +@all -@all +set => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 +@ALL -@Keyspace +@keyspace => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -@all +@hash +@set +@list => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -@all +@fast +@slow => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 +@all -@admin -@blocking => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 -@all +config|get => 1
			a: ACL GETUSER u1              => 1
		`),
		forProtocols("setuser errors", "", aclCleanup+`
			a: ACL SETUSER u1 nosuch       => 1
			a: ACL SETUSER u1 +@nosuch     => 1
			a: ACL SETUSER u1 -@nosuch     => 1
			a: ACL SETUSER u1 +@           => 1
			a: ACL SETUSER u1 +nosuch      => 1
			a: ACL SETUSER u1 -nosuch      => 1
			a: ACL SETUSER u1 +            => 1
			a: ACL SETUSER u1 -            => 1
			a: ACL SETUSER u1 +get|        => 1
			a: ACL SETUSER u1 +client|     => 1
			a: ACL SETUSER u1 +client|nosuch => 1
			a: ACL SETUSER u1 +client|kill|x => 1
			a: ACL SETUSER u1 -client|kill|x => 1
			a: ACL SETUSER u1 -get|x       => 1
			a: ACL SETUSER u1 +nosuch|x    => 1
			a: ACL SETUSER u1 <nope        => 1
			a: ACL SETUSER u1 !nope        => 1
			a: ACL SETUSER u1 ~* ~a        => 1
			a: ACL SETUSER u1 &* &a        => 1
			a: ACL SETUSER u1 on ~k nosuch => 1
			a: ACL USERS                   => 1
			a: ACL SETUSER "a b"           => 1
			a: ACL SETUSER "a\x00b"        => 1
			a: ACL SETUSER "a\tb" on       => 1
			a: ACL SETUSER u1 "bad\r\nrule" => 1
			a: ACL SETUSER                 => 1
			a: ACL SETUSER u1 (+get        => 1
			a: ACL SETUSER u1 on (+get ~x  => 1
			a: ACL SETUSER u1 ) on         => 1
			a: ACL SETUSER u1 (nosuch)     => 1
			a: ACL SETUSER u1 (+get ~x &* &y) => 1
			a: ACL USERS                   => 1
			a: ACL NOSUCH                  => 1
			a: ACL                         => 1
			a: ACL GETUSER                 => 1
			a: ACL GETUSER a b             => 1
			a: ACL LIST x                  => 1
			a: ACL USERS x                 => 1
			a: ACL WHOAMI x                => 1
			a: ACL DELUSER                 => 1
			a: ACL DRYRUN u1               => 1
			a: ACL DRYRUN u1 get           => 1
		`),
		forProtocols("selectors", "a", aclCleanup+`
			a: ACL SETUSER u1 on nopass (+get ~r*) "(+set ~w* &ch)" => 1
			a: ACL LIST                    => 1
			a: ACL GETUSER u1              => 1
			a: ACL SETUSER u1 (~x %R~y +@read -get) => 1
			a: ACL GETUSER u1              => 1
			a: ACL DRYRUN u1 get r1        => 1
			a: ACL DRYRUN u1 get w1        => 1
			a: ACL DRYRUN u1 set w1 v      => 1
			a: ACL DRYRUN u1 set r1 v      => 1
			a: ACL DRYRUN u1 publish ch m  => 1
			a: ACL DRYRUN u1 publish no m  => 1
			a: ACL DRYRUN u1 strlen y      => 1
			a: ACL DRYRUN u1 hget x f      => 1
			a: ACL DRYRUN u1 hget z f      => 1
			a: ACL DRYRUN u1 lpush r1 v    => 1
			a: ACL SETUSER u3 (+get (~x y) => 1
			a: ACL SETUSER u3 (+get (~x +set) => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u1 clearselectors => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u2 "( +get ~a  )" => 1
			a: ACL LIST                    => 1
			a: ACL SETUSER u2 reset        => 1
			a: ACL GETUSER u2              => 1
		`),
		forProtocols("dryrun", "", aclCleanup+`
			a: ACL SETUSER u1 on nopass %R~r* %W~w* ~k* &ch* +@all -get +select|0 -@pubsub +publish +subscribe +psubscribe => 1
			a: ACL DRYRUN u1 get r1        => 1
			a: ACL DRYRUN u1 strlen r1     => 1
			a: ACL DRYRUN u1 strlen w1     => 1
			a: ACL DRYRUN u1 set r1 v      => 1
			a: ACL DRYRUN u1 set w1 v      => 1
			a: ACL DRYRUN u1 set k1 v      => 1
			a: ACL DRYRUN u1 mset k1 v w1 v r1 v => 1
			a: ACL DRYRUN u1 mset r1 v w1 v k1 v => 1
			a: ACL DRYRUN u1 mget k1 w1 r1 => 1
			a: ACL DRYRUN u1 lmove k1 r1 left right => 1
			a: ACL DRYRUN u1 lmove r1 w1 left right => 1
			a: ACL DRYRUN u1 append w1 x   => 1
			a: ACL DRYRUN u1 del r1        => 1
			a: ACL DRYRUN u1 exists w1     => 1
			a: ACL DRYRUN u1 copy k1 w1    => 1
			a: ACL DRYRUN u1 rename r1 w1  => 1
			a: ACL DRYRUN u1 eval "" 1 r1  => 1
			a: ACL DRYRUN u1 eval "" 1 k1  => 1
			a: ACL DRYRUN u1 publish ch1 m => 1
			a: ACL DRYRUN u1 publish x m   => 1
			a: ACL DRYRUN u1 subscribe ch1 ch2 => 1
			a: ACL DRYRUN u1 subscribe ch1 x ch2 y => 1
			a: ACL DRYRUN u1 psubscribe ch* => 1
			a: ACL DRYRUN u1 psubscribe ch1 => 1
			a: ACL DRYRUN u1 unsubscribe x => 1
			a: ACL DRYRUN u1 spublish ch1 m => 1
			a: ACL DRYRUN u1 select 0      => 1
			a: ACL DRYRUN u1 select 1      => 1
			a: ACL DRYRUN u1 ping          => 1
			a: ACL DRYRUN u1 auth a b      => 1
			a: ACL DRYRUN u1 hello         => 1
			a: ACL DRYRUN u1 client kill x => 1
			a: ACL DRYRUN u1 client        => 1
			a: ACL DRYRUN u1 client nosuch => 1
			a: ACL DRYRUN u1 pubsub numsub x => 1
			a: ACL DRYRUN u1 get           => 1
			a: ACL DRYRUN u1 get a b       => 1
			a: ACL DRYRUN u1 nosuch        => 1
			a: ACL DRYRUN nobody get x     => 1
			a: ACL SETUSER u2 on nopass -@all +select|0 => 1
			a: ACL DRYRUN u2 select 0      => 1
			a: ACL DRYRUN u2 select 1      => 1
			a: ACL DRYRUN u2 get x         => 1
			a: ACL SETUSER u3 on nopass +@all resetchannels => 1
			a: ACL DRYRUN u3 publish x y   => 1
			a: ACL DRYRUN u3 subscribe x   => 1
			a: ACL DRYRUN u3 ssubscribe x  => 1
			a: ACL DRYRUN u3 psubscribe x  => 1
			a: ACL DRYRUN u3 get x         => 1
			a: ACL DRYRUN default get x    => 1
		`),
		forProtocols("users, whoami, deluser", "", aclCleanup+`
			a: ACL WHOAMI                  => 1
			a: ACL USERS                   => 1
			a: ACL SETUSER u2              => 1
			a: ACL SETUSER u1              => 1
			a: ACL SETUSER "u 5"           => 1
			a: ACL USERS                   => 1
			a: ACL DELUSER default         => 1
			a: ACL DELUSER u1 default      => 1
			a: ACL USERS                   => 1
			a: ACL DELUSER u1 u1 nobody    => 1
			a: ACL DELUSER u2              => 1
			a: ACL DELUSER u2              => 1
			a: ACL USERS                   => 1
			a: ACL LIST                    => 1
			a: acl whoami                  => 1
		`),
		forProtocols("cat, genpass, help", "", aclCleanup+`
			a: ACL CAT                     => 1
			a: ACL CAT nosuch              => 1
			a: ACL CAT "`+strings.Repeat("c", 200)+`" => 1
			a: ACL CAT pubsub              => 1 sorted
			a: ACL CAT PubSub              => 1 sorted
			a: ACL CAT transaction         => 1 sorted
			a: ACL CAT a b                 => 1
			a: ACL GENPASS 0               => 1
			a: ACL GENPASS -1              => 1
			a: ACL GENPASS 4097            => 1
			a: ACL GENPASS x               => 1
			a: ACL GENPASS 1.5             => 1
			a: ACL GENPASS 1 2             => 1
			a: ACL HELP                    => 1
			a: ACL HELP x                  => 1
		`),
		forProtocols("log", "a", aclCleanup+`
			a: ACL LOG                     => 1
			a: ACL LOG 5                   => 1
			a: ACL LOG x                   => 1
			a: ACL LOG -1                  => 1
			a: ACL LOG 1 2                 => 1
			a: ACL LOG RESET               => 1
			a: ACL LOG reset               => 1
		`),
		forProtocols("save and load without a file", "", aclCleanup+`
			a: ACL SAVE                    => 1
			a: ACL LOAD                    => 1
			a: ACL SAVE x                  => 1
			a: ACL LOAD x                  => 1
		`),
	))
}

// TestDiffACLDescribe applies sequences of rules, fixed and random, to a
// user on both servers and compares ACL LIST and GETUSER. Redis lists the
// single commands that end a description in its hash table's order, which
// changes from run to run, so those are compared as a set; everything
// before them, flags, patterns and the categories fitted, in order.
func TestDiffACLDescribe(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	r, h := rawDial(t, redisAddr, "2"), rawDial(t, s.Addr().String(), "2")
	fixed := [][]string{
		{"+@read", "-@fast"},
		{"+@all", "-@read", "+get", "+set", "-publish"},
		{"-@all", "+get", "+set", "+hget", "+client|id", "+select|2"},
		{"+@all", "-@write", "-@read", "+client|kill", "-client|list"},
		{"-@all", "+@string", "-@write"},
		{"+@all", "-@slow"},
		{"-@all", "+@slow", "-@admin", "+acl|whoami"},
		{"-@all", "+@keyspace", "+@read", "-@dangerous"},
		{"-@all", "+@scripting", "+@transaction", "+@blocking"},
		{"+@all", "-@pubsub", "+subscribe", "+psubscribe", "-client", "+client|setname"},
		{"-@all", "+@geo", "+@stream", "+@bitmap", "+@hyperloglog", "+@sortedset"},
	}
	pool := []string{"+@read", "-@read", "+@write", "-@write", "+@fast", "-@fast", "+@slow", "-@slow",
		"+@pubsub", "-@pubsub", "+@connection", "-@connection", "+@admin", "-@dangerous", "+@keyspace",
		"-@string", "+@hash", "+@list", "-@set", "+@all", "-@all", "+get", "-get", "+set", "-set",
		"+client", "-client", "+client|id", "-client|kill", "+config|get", "+publish", "-subscribe",
		"+select|0", "+select|5", "+auth", "-ping", "~k*", "%R~r*", "&ch*", "resetkeys", "resetchannels"}
	rng := rand.New(rand.NewSource(1))
	for range 40 {
		n := 1 + rng.Intn(6)
		seq := make([]string, n)
		for i := range seq {
			seq[i] = pool[rng.Intn(len(pool))]
		}
		fixed = append(fixed, seq)
	}
	for _, seq := range fixed {
		for _, c := range []*rawConn{r, h} {
			c.do(t, "ACL", "DELUSER", "d1")
			if v := c.do(t, append([]string{"ACL", "SETUSER", "d1"}, seq...)...); v.Str != "OK" {
				t.Fatalf("ACL SETUSER d1 %v: %s", seq, v)
			}
		}
		want, got := r.do(t, "ACL", "LIST"), h.do(t, "ACL", "LIST")
		if !slices.Equal(describedSet(want), describedSet(got)) {
			t.Errorf("ACL SETUSER d1 %v: ACL LIST\n herald %s\n  redis %s", seq, got, want)
		}
		want, got = r.do(t, "ACL", "GETUSER", "d1"), h.do(t, "ACL", "GETUSER", "d1")
		if !slices.Equal(describedSet(want), describedSet(got)) {
			t.Errorf("ACL SETUSER d1 %v: ACL GETUSER\n herald %s\n  redis %s", seq, got, want)
		}
	}
	r.do(t, "ACL", "DELUSER", "d1")
}

// describedSet returns the strings of a reply, each with its final run of
// single-command rules sorted.
func describedSet(v resp.Value) []string {
	var out []string
	var walk func(resp.Value)
	walk = func(v resp.Value) {
		if len(v.Elems) > 0 {
			for _, e := range v.Elems {
				walk(e)
			}
			return
		}
		words := strings.Split(v.Str, " ")
		i := len(words)
		for i > 0 && (strings.HasPrefix(words[i-1], "+") || strings.HasPrefix(words[i-1], "-")) && !strings.Contains(words[i-1], "@") {
			i--
		}
		slices.Sort(words[i:])
		out = append(out, fmt.Sprintf("%c%s", v.Kind, strings.Join(words, " ")))
	}
	walk(v)
	return out
}

// TestDiffACLVolatile compares what differs between runs by shape: ACL
// GENPASS's length, and ACL LOG after failed AUTHs and HELLO AUTHs with
// age-seconds and client-info masked, in both protocols.
func TestDiffACLVolatile(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	for _, proto := range []string{"2", "3"} {
		r, h := rawDial(t, redisAddr, proto), rawDial(t, s.Addr().String(), proto)
		for _, bits := range []string{"", "1", "4", "5", "255", "256", "257", "4096"} {
			args := []string{"ACL", "GENPASS"}
			if bits != "" {
				args = append(args, bits)
			}
			want, got := r.do(t, args...), h.do(t, args...)
			if got.Kind != '$' || len(got.Str) != len(want.Str) || strings.Trim(got.Str, "0123456789abcdef") != "" {
				t.Errorf("RESP%s %v: herald %q, redis %q", proto, args, got.Str, want.Str)
			}
		}
		script := [][]string{
			{"ACL", "LOG", "RESET"},
			{"AUTH", "nobody", "pw"},
			{"AUTH", "nobody", "pw"},
			{"auth", "other", "pw"},
			{"HELLO", proto, "AUTH", "someone", "pw"},
			{"AUTH", "nobody", "pw"},
			{"MULTI"},
			{"AUTH", "nobody", "pw"},
			{"EXEC"},
			{"ACL", "LOG"},
			{"ACL", "LOG", "2"},
			{"ACL", "LOG", "0"},
			{"ACL", "LOG", "RESET"},
			{"ACL", "LOG"},
		}
		for _, args := range script {
			want, got := maskLogEntries(r.do(t, args...)), maskLogEntries(h.do(t, args...))
			if string(got.Bytes()) != string(want.Bytes()) {
				t.Errorf("RESP%s %v:\n herald %s\n  redis %s", proto, args, got, want)
			}
		}
	}
}

// TestDiffACLFile compares ACL LOAD and SAVE with an ACL file: the users
// loaded, the errors of a bad file (nothing changes), and the file SAVE
// writes. The servers share the file, whose name is in the errors, and
// take turns with it.
func TestDiffACLFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.acl")
	write := func(content string) {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("user default on nopass ~* &* +@all\n")
	redisAddr := redistest.Start(t, "--aclfile", path).Addr()
	s := startServer(t, Config{ACLFile: path})
	r, h := rawDial(t, redisAddr, "2"), rawDial(t, s.Addr().String(), "2")
	files := []string{
		"user default on nopass ~* &* +@all\nuser u1 on >pw ~k* &c* -@all +get\n\n  user u2 off  resetchannels -@all +@read  \r\n",
		"user u3 on nopass +@all ~*\n",
		"user u1 on nosuch\nuser u2 on +nosuch +@nosuch\nuser u1 off\nusr x\nuser\nuser u4 ~* ~k &* &c #abc\nuser u5 (+get ~x\n",
		"user default on nopass ~* &* +@all\nuser u6 on (+get ~x) (+set ~y)\n",
		"user default on nopass ~* &* +@all\n",
	}
	for _, content := range files {
		for _, args := range [][]string{{"ACL", "LOAD"}, {"ACL", "LIST"}} {
			write(content)
			want, got := r.do(t, args...), h.do(t, args...)
			if string(got.Bytes()) != string(want.Bytes()) {
				t.Errorf("file %q, %v:\n herald %s\n  redis %s", content, args, got, want)
			}
		}
		var saved [2]string
		for i, c := range []*rawConn{r, h} {
			write("")
			if v := c.do(t, "ACL", "SAVE"); v.Str != "OK" {
				t.Fatalf("ACL SAVE: %s", v)
			}
			b, _ := os.ReadFile(path)
			saved[i] = string(b)
		}
		if saved[0] != saved[1] {
			t.Errorf("file %q after ACL SAVE:\n herald %q\n  redis %q", content, saved[1], saved[0])
		}
	}
	os.Remove(path)
	if want, got := r.do(t, "ACL", "LOAD"), h.do(t, "ACL", "LOAD"); string(got.Bytes()) != string(want.Bytes()) {
		t.Errorf("ACL LOAD of a missing file:\n herald %s\n  redis %s", got, want)
	}
}

// TestDiffACLDryRunRandom gives a user random rules, keys, channels and
// selectors, and compares ACL DRYRUN of command lines with keys and
// channels on both servers: the permission check against Redis's.
func TestDiffACLDryRunRandom(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	r, h := rawDial(t, redisAddr, "2"), rawDial(t, s.Addr().String(), "2")
	rules := []string{"+@all", "-@all", "+@read", "+@write", "-@write", "+@string", "+@list", "+@pubsub",
		"-@pubsub", "+@scripting", "+@sortedset", "+get", "+set", "-set", "+publish", "+subscribe",
		"+select|1", "+client|id", "-client", "allkeys", "resetkeys", "~a*", "~b?", "%R~r*", "%W~w*",
		"%RW~x*", "%R~a1", "allchannels", "resetchannels", "&c*", "&p?", "&c[12]", "&lit*"}
	lines := [][]string{
		{"get", "a1"}, {"get", "r1"}, {"get", "w1"}, {"set", "w1", "v"}, {"set", "r1", "v", "GET"},
		{"set", "a1", "v", "get"}, {"set", "x1", "v", "EX", "10"}, {"mset", "a1", "v", "w1", "v"},
		{"mget", "r1", "a1", "w1"}, {"append", "b1", "v"}, {"strlen", "r2"}, {"lmove", "r1", "w1", "left", "left"},
		{"lpush", "x1", "v"}, {"copy", "a1", "w2"}, {"rename", "x1", "x2"}, {"del", "w1", "a1"},
		{"exists", "r1", "w1"}, {"eval", "", "2", "a1", "r1"}, {"evalsha_ro", "", "1", "w1"},
		{"zunionstore", "w1", "2", "r1", "a1"}, {"sintercard", "2", "r1", "a2"}, {"zmpop", "2", "a1", "w1", "min"},
		{"publish", "c1", "m"}, {"publish", "lit*", "m"}, {"publish", "px", "m"}, {"spublish", "c2", "m"},
		{"subscribe", "c1", "px", "zz"}, {"ssubscribe", "c3"}, {"psubscribe", "c*", "lit*"},
		{"psubscribe", "p?"}, {"unsubscribe", "zz"}, {"select", "1"}, {"select", "2"}, {"client", "id"},
		{"client", "kill", "x"}, {"ping"}, {"auth", "a", "b"}, {"pubsub", "channels"}, {"hset", "b1", "f", "v"},
		{"eval", "", "1x", "w1"}, {"eval", "", "5", "w1"}, {"eval", "", "-1", "w1"}, {"zunionstore", "a1", "3", "r1"},
		{"zunionstore", "a1", "01", "w1"}, {"sintercard", "1x", "w1"}, {"zmpop", "+1", "w1", "max"},
		{"blpop", "w1", "r1", "0"}, {"blmove", "r1", "w1", "left", "left", "0"}, {"fcall", "f", "1", "x1"},
		{"fcall", "f", "1x", "x1"}, {"sinterstore", "w1", "r1"}, {"smove", "r1", "w1", "m"}, {"setrange", "r1", "0", "v"},
		{"bitcount", "w1"}, {"zrangestore", "w1", "r1", "0", "1"}, {"keys", "*"}, {"rpoplpush", "r1", "w1"},
		{"object", "encoding", "r1"}, {"watch", "r1", "w1"}, {"flushall"}, {"touch", "a1"}, {"getset", "r1", "v"},
		{"zadd", "w3", "1", "m"}, {"sadd", "a", "m"}, {"incr", "r9"}, {"getdel", "x9"}, {"getex", "r1"},
	}
	rng := rand.New(rand.NewSource(2))
	for range 60 {
		var seq []string
		for range 1 + rng.Intn(6) {
			seq = append(seq, rules[rng.Intn(len(rules))])
		}
		if rng.Intn(3) == 0 {
			var sel []string
			for range 1 + rng.Intn(3) {
				sel = append(sel, rules[rng.Intn(len(rules))])
			}
			seq = append(seq, "("+strings.Join(sel, " ")+")")
		}
		var results [2]string
		for i, c := range []*rawConn{r, h} {
			c.do(t, "ACL", "DELUSER", "d2")
			results[i] = c.do(t, append([]string{"ACL", "SETUSER", "d2"}, seq...)...).String()
		}
		if results[0] != results[1] {
			t.Errorf("ACL SETUSER d2 %q:\n herald %s\n  redis %s", seq, results[1], results[0])
			continue
		}
		for _, line := range lines {
			args := append([]string{"ACL", "DRYRUN", "d2"}, line...)
			want, got := r.do(t, args...), h.do(t, args...)
			if string(got.Bytes()) != string(want.Bytes()) {
				t.Errorf("rules %q, DRYRUN %q:\n herald %s\n  redis %s", seq, line, got, want)
			}
		}
	}
	r.do(t, "ACL", "DELUSER", "d2")
}

// TestDiffACLPubsubDefault compares new users, selectors and "reset" with
// acl-pubsub-default allchannels.
func TestDiffACLPubsubDefault(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t, "--acl-pubsub-default", "allchannels").Addr()
	s := startServer(t, Config{})
	s.acl().setPubsubDefault(true)
	for _, proto := range []string{"2", "3"} {
		r, h := rawDial(t, redisAddr, proto), rawDial(t, s.Addr().String(), proto)
		for _, args := range [][]string{
			{"ACL", "DELUSER", "p1", "p2"},
			{"ACL", "SETUSER", "p1"},
			{"ACL", "SETUSER", "p1", "&x"},
			{"ACL", "SETUSER", "p1", "(~k)", "(&y)"},
			{"ACL", "SETUSER", "p2", "resetchannels", "&z", "(+get)"},
			{"ACL", "LIST"},
			{"ACL", "GETUSER", "p1"},
			{"ACL", "SETUSER", "p2", "reset"},
			{"ACL", "GETUSER", "p2"},
			{"ACL", "DRYRUN", "p2", "publish", "x", "y"},
		} {
			want, got := r.do(t, args...), h.do(t, args...)
			if string(got.Bytes()) != string(want.Bytes()) {
				t.Errorf("RESP%s %v:\n herald %s\n  redis %s", proto, args, got, want)
			}
		}
	}
}

// TestDiffACLCommandTable checks redisCommandCategories, over which rules
// are described, against the running redis-server's COMMAND: the same
// commands and subcommands with the same ACL categories.
func TestDiffACLCommandTable(t *testing.T) {
	t.Parallel()
	r := rawDial(t, redistest.Start(t).Addr(), "2")
	want := map[string]string{}
	var add func(v resp.Value)
	add = func(v resp.Value) {
		var cats []string
		for _, c := range v.Elems[6].Elems {
			cats = append(cats, strings.TrimPrefix(c.Str, "@"))
		}
		want[v.Elems[0].Str] = strings.Join(cats, " ")
		if len(v.Elems) > 9 {
			for _, sub := range v.Elems[9].Elems {
				add(sub)
			}
		}
	}
	for _, v := range r.do(t, "COMMAND").Elems {
		add(v)
	}
	got := map[string]string{}
	for _, c := range redisCommandCategories {
		got[c.name] = strings.Join(c.categories, " ")
	}
	for name, cats := range want {
		if got[name] != cats {
			t.Errorf("%s: categories %q, redis-server %q", name, got[name], cats)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: not a command of redis-server", name)
		}
	}

	// ACL CAT category: Redis's commands in it that Herald has.
	h := rawDial(t, startServer(t, Config{}).Addr().String(), "2")
	for _, cat := range aclCategoryNames {
		var redisNames, heraldNames []string
		for _, e := range r.do(t, "ACL", "CAT", cat).Elems {
			if commands.byFullName([]byte(e.Str)) != nil {
				redisNames = append(redisNames, e.Str)
			}
		}
		for _, e := range h.do(t, "ACL", "CAT", cat).Elems {
			if _, ok := want[e.Str]; ok {
				heraldNames = append(heraldNames, e.Str)
			}
		}
		slices.Sort(redisNames)
		slices.Sort(heraldNames)
		if !slices.Equal(redisNames, heraldNames) {
			t.Errorf("ACL CAT %s:\n herald %q\n  redis %q", cat, heraldNames, redisNames)
		}
	}
}
