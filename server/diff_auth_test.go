package server

import (
	"strings"
	"testing"
)

// diffPassword is the requirepass of TestDiffAuth's servers.
const diffPassword = "s3cret"

// TestDiffAuth compares a server started with requirepass: NOAUTH for each
// kind of command, AUTH and HELLO AUTH, RESET, and the limits Redis puts on
// what an unauthenticated client may send.
func TestDiffAuth(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{RequirePass: diffPassword}, "--requirepass", diffPassword)
	env.run(t, sessions(
		forProtocols("noauth for each command class", "", `
			a: PING                        => 1
			a: PING a b                    => 1
			a: ECHO x                      => 1
			a: SELECT 1                    => 1
			a: SUBSCRIBE x                 => 1
			a: PSUBSCRIBE x                => 1
			a: SSUBSCRIBE x                => 1
			a: UNSUBSCRIBE                 => 1
			a: PUBLISH x y                 => 1
			a: SPUBLISH x y                => 1
			a: PUBSUB CHANNELS             => 1
			a: PUBSUB NOPE                 => 1
			a: PUBSUB                      => 1
			a: CLIENT ID                   => 1
			a: CLIENT SETNAME x            => 1
			a: CLIENT NOPE                 => 1
			a: NOPE                        => 1
			a: HELLO                       => 1
			a: HELLO 3                     => 1
			a: HELLO 4                     => 1
			a: HELLO 3 SETNAME early       => 1
			a: HELLO 3 FOO                 => 1
			a~ "PING\r\n"                  => 1
			a: RESET                       => 1
			a: PING                        => 1
			a: AUTH `+diffPassword+`   => 1
			a: CLIENT GETNAME              => 1
			a: PING                        => 1
		`),
		forProtocols("quit and reset before auth", "", `
			a: RESET                       => 1
			a: QUIT                        => 1 closed
			b: CLIENT                      => 1
			b: QUIT x                      => 1 closed
		`),
		forProtocols("auth", "", `
			a: AUTH                        => 1
			a: AUTH wrong                  => 1
			a: AUTH default wrong          => 1
			a: AUTH nobody `+diffPassword+` => 1
			a: AUTH a b c                  => 1
			a: PING                        => 1
			a: AUTH `+diffPassword+`   => 1
			a: PING                        => 1
			a: AUTH wrong                  => 1
			a: PING                        => 1
			a: AUTH default `+diffPassword+` => 1
			a: RESET                       => 1
			a: PING                        => 1
			a: QUIT                        => 1 closed
		`),
		forProtocols("hello auth", "", `
			a: HELLO 3 AUTH default wrong  => 1
			a: HELLO 3 AUTH default        => 1
			a: HELLO 3 AUTH nobody `+diffPassword+` => 1
			a: PING                        => 1
			a: HELLO 3 AUTH default `+diffPassword+` SETNAME n => 1 hello
			a: PING                        => 1
			a: CLIENT GETNAME              => 1
			b: HELLO 3 AUTH default `+diffPassword+` FOO => 1
			b: PING                        => 1
			c: HELLO 3 SETNAME n AUTH default wrong => 1
			c: AUTH `+diffPassword+`   => 1
			c: CLIENT GETNAME              => 1
			d: HELLO 2 AUTH DEFAULT `+diffPassword+` => 1
			d: HELLO 2 auth default `+diffPassword+` => 1 hello
		`),
		forProtocols("subscribe after auth", "b", `
			a: SUBSCRIBE x                 => 1
			a: AUTH `+diffPassword+`   => 1
			a: SUBSCRIBE x                 => 1
			b: PUBLISH x y                 => 1
			b: AUTH `+diffPassword+`   => 1
			b: PUBLISH x y                 => 1; a: 1
			a: RESET                       => 1
			b: PUBSUB NUMSUB x             => 1
			a: PING                        => 1
		`),
		[]session{
			{name: "unauthenticated multibulk length", script: `
				a~ "*10\r\n$4\r\nPING\r\n"     => 0
				a~ "$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n" => 1
				a~ "*11\r\n"                   => 1 closed
			`},
			{name: "unauthenticated bulk length", script: `
				a~ "*2\r\n$4\r\nECHO\r\n$16384\r\n" => 0
				a~ "` + strings.Repeat("x", 16384) + `\r\n" => 1
				b~ "*2\r\n$4\r\nECHO\r\n$16385\r\n" => 1 closed
			`},
			{name: "unauthenticated inline is not limited", script: `
				a~ "PING a b c d e f g h i j k l m n\r\n" => 1
			`},
			{name: "limits end with auth", script: `
				a: AUTH ` + diffPassword + `   => 1
				a~ "*11\r\n$4\r\nPING\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n" => 1
				a~ "*2\r\n$4\r\nECHO\r\n$16385\r\n" => 0
				a~ "` + strings.Repeat("y", 16385) + `\r\n" => 1
			`},
			{name: "limits end with auth in the same pipeline", script: `
				a~ "*2\r\n$4\r\nAUTH\r\n$6\r\n` + diffPassword + `\r\n*11\r\n$4\r\nPING\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n" => 2
			`},
			{name: "limits come back with reset", script: `
				a: AUTH ` + diffPassword + `   => 1
				a: RESET                       => 1
				a~ "*11\r\n"                   => 1 closed
			`},
		},
	))
}
