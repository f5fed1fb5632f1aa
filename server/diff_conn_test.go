package server

import "testing"

// TestDiffConnection compares the connection commands (PING, ECHO, QUIT,
// RESET, SELECT, HELLO, AUTH without a password) in and out of subscribed
// mode, in RESP2 and RESP3, and the errors every command shares.
func TestDiffConnection(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		forProtocols("connection commands", "a", `
			a: PING                        => 1
			a: PING hi                     => 1
			a: PING ""                     => 1
			a: PING a b                    => 1
			a: ECHO                        => 1
			a: ECHO hi                     => 1
			a: ECHO ""                     => 1
			a: ECHO a b                    => 1
			a: SELECT 0                    => 1
			a: SELECT 15                   => 1
			a: SELECT 16                   => 1
			a: SELECT -1                   => 1
			a: SELECT x                    => 1
			a: SELECT +1                   => 1
			a: SELECT 01                   => 1
			a: SELECT " 1"                 => 1
			a: SELECT 1.0                  => 1
			a: SELECT 99999999999999999999 => 1
			a: SELECT 2147483647           => 1
			a: SELECT 2147483648           => 1
			a: SELECT -2147483649          => 1
			a: SELECT -0                   => 1
			a: SELECT                      => 1
			a: SELECT 1 2                  => 1
			a: ping                        => 1
			a: EcHo mixed                  => 1
			a: RESET x                     => 1
			a: RESET                       => 1
			a: PING                        => 1
			a: QUIT extra args             => 1 closed
		`),
		forProtocols("quit", "a", `
			a: QUIT                        => 1 closed
		`),
		[]session{{name: "RESP2 subscribed mode", script: `
			a: SUBSCRIBE x                 => 1
			a: PING                        => 1
			a: PING hi                     => 1
			a: PING ""                     => 1
			a: PING a b                    => 1
			a: ECHO hi                     => 1
			a: SELECT 1                    => 1
			a: PUBLISH x y                 => 1
			a: SPUBLISH x y                => 1
			a: PUBSUB NUMSUB x             => 1
			a: PUBSUB NOPE                 => 1
			a: PUBSUB                      => 1
			a: CLIENT ID                   => 1
			a: CLIENT                      => 1
			a: HELLO 3                     => 1
			a: HELLO                       => 1
			a: AUTH x                      => 1
			a: NOPE                        => 1
			a: ECHO                        => 1
			a: SUBSCRIBE                   => 1
			a: PSUBSCRIBE p                => 1
			a: SSUBSCRIBE s                => 1
			a: UNSUBSCRIBE x               => 1
			a: PING                        => 1
			a: PUNSUBSCRIBE                => 1
			a: PING                        => 1
			a: SUNSUBSCRIBE s              => 1
			a: PING                        => 1
			a: ECHO back                   => 1
		`}},
		[]session{{name: "RESP2 subscribed mode inline and pipelined", script: `
			a~ "SUBSCRIBE x\r\nPING\r\nECHO y\r\nPING z\r\n" => 4
			c: PUBLISH x m                 => 1; a: 1
			a~ "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nq\r\n" => 2
		`}},
		[]session{{name: "RESP3 subscribed mode allows everything", script: `
			a: HELLO 3                     => 1 hello
			a: SUBSCRIBE x                 => 1
			a: PING                        => 1
			a: PING hi                     => 1
			a: ECHO hi                     => 1
			a: SELECT 1                    => 1
			a: PUBLISH x y                 => 1; a: 1
			a: PUBSUB NUMSUB x             => 1
			a: CLIENT ID                   => 1 int
			c: PUBLISH x z                 => 1; a: 1
			a: ECHO after                  => 1
			a: HELLO 3                     => 1 hello
			a: HELLO 2                     => 1 hello
			a: ECHO now-resp2              => 1
			a: PING                        => 1
			c: PUBLISH x w                 => 1; a: 1
			a: HELLO 3                     => 1
			a: UNSUBSCRIBE                 => 1
			a: HELLO 3                     => 1 hello
		`}},
		forProtocols("reset in subscribed mode", "a", `
			a: SUBSCRIBE x                 => 1
			a: PSUBSCRIBE p*               => 1
			a: SSUBSCRIBE s                => 1
			a: SELECT 3                    => 1
			a: RESET                       => 1
			c: PUBLISH x y                 => 1
			c: PUBLISH px y                => 1
			c: SPUBLISH s y                => 1
			c: PUBSUB NUMPAT               => 1
			a: PING                        => 1
			a: ECHO x                      => 1
			a: SUBSCRIBE again             => 1
			c: PUBLISH again y             => 1; a: 1
		`),
		forProtocols("reset restores the connection's state", "a", `
			a: CLIENT SETNAME n            => 1
			a: SELECT 3                    => 1
			a: CLIENT REPLY OFF            => 0
			a: RESET                       => 1
			a: CLIENT INFO                 => 1 client
			a: CLIENT GETNAME              => 1
		`),
		forProtocols("quit in subscribed mode", "a", `
			a: SUBSCRIBE x                 => 1
			a: PSUBSCRIBE p*               => 1
			a: SSUBSCRIBE s                => 1
			a: QUIT                        => 1 closed
			c: PUBSUB NUMSUB x             => 1
			c: PUBSUB NUMPAT               => 1
			c: PUBSUB SHARDNUMSUB s        => 1
			c: PUBLISH x y                 => 1
		`),
		forProtocols("hello", "", `
			a: HELLO                       => 1 hello
			a: HELLO 2                     => 1 hello
			a: HELLO 3                     => 1 hello
			a: HELLO                       => 1 hello
			a: HELLO 4                     => 1
			a: HELLO 1                     => 1
			a: HELLO 0                     => 1
			a: HELLO -1                    => 1
			a: HELLO x                     => 1
			a: HELLO 03                    => 1
			a: HELLO +3                    => 1
			a: HELLO " 3"                  => 1
			a: HELLO 3.0                   => 1
			a: HELLO 99999999999999999999  => 1
			a: HELLO ""                    => 1
			a: HELLO 3 SETNAME             => 1
			a: HELLO 3 SETNAME myname      => 1 hello
			a: CLIENT GETNAME              => 1
			a: HELLO 3 SETNAME "bad name"  => 1
			a: HELLO 2 SETNAME "bad name"  => 1
			a: CLIENT GETNAME              => 1
			a: HELLO 3 SETNAME ""          => 1 hello
			a: CLIENT GETNAME              => 1
			a: HELLO 3 setname a SETNAME b => 1 hello
			a: CLIENT GETNAME              => 1
			a: HELLO 3 AUTH default anything => 1 hello
			a: HELLO 3 AUTH bob x          => 1
			a: HELLO 3 AUTH default        => 1
			a: HELLO 3 AUTH                => 1
			a: HELLO 3 FOO                 => 1
			a: HELLO 3 SETNAME x extra     => 1
			a: HELLO 2 AUTH bob x SETNAME n => 1
			a: HELLO 2 SETNAME n AUTH bob x => 1
			a: CLIENT GETNAME              => 1
			a: HELLO 3 FOO SETNAME "bad name" => 1
			a: HELLO 2 SETNAME "bad name" FOO => 1
			a: HELLO 2 auth default x setname n2 => 1 hello
			a: CLIENT GETNAME              => 1
			a: HELLO 4 FOO                 => 1
			a: HELLO x FOO                 => 1
			a: HELLO 3 SETNAME n FOO       => 1
			a: CLIENT GETNAME              => 1
			a: HELLO 3 SETNAME n3 AUTH default x FOO => 1
			a: CLIENT GETNAME              => 1
			a: HELLO 3 "F\r\nOO"           => 1
			a: HELLO 3 "F\x00OO"            => 1
			a: HELLO 3 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa => 1
			a: PING                        => 1
		`),
		forProtocols("auth without a password", "a", `
			a: AUTH                        => 1
			a: AUTH x                      => 1
			a: AUTH default x              => 1
			a: AUTH bob x                  => 1
			a: AUTH a b c                  => 1
			a: PING                        => 1
		`),
		forProtocols("unknown commands and arity", "a", `
			a: NOPE                        => 1
			a: NOPE a b "c d"              => 1
			a: nope ""                     => 1
			a: "NO\r\nPE" "x\ny"           => 1
			a: "NO\xff\nPE" "x\xe9\ry"       => 1
			a: "\xff\n" ""                 => 1
			a: "" x                        => 1
			a: NOPE "a\x00b" c             => 1
			a: "NO\x00PE" c                => 1
			a: NOPE aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b c => 1
			a: NOPE aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b c => 1
			a: NOPE a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp qq rr ss tt uu vv ww xx yy zz => 1
			a: PUBLISH                     => 1
			a: publish x                   => 1
			a: CLIENT NOPE                 => 1
			a: client nope x               => 1
			a: PUBSUB "no\r\npe"           => 1
			a: PUBSUB "n\xffo\r\npe"       => 1
			a: PUBSUB "no\x00pe"            => 1
			a: "PUB\x00SUB" CHANNELS a b    => 1
			a: PUBSUB "CHANNELS" a b       => 1
			a: PUBSUB aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa => 1
			a: CLIENT                      => 1
			a: PING                        => 1
		`),
	))
}
