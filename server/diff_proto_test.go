package server

import (
	"fmt"
	"strings"
	"testing"
)

// diffMaxBulk is the proto-max-bulk-len of TestDiffProtocol's servers, the
// smallest Redis accepts.
const diffMaxBulk = 1 << 20

// TestDiffProtocol compares how requests are read: inline commands with
// quotes and escapes, pipelines mixing both forms, and the protocol errors
// after which Redis replies and closes the connection. Both servers run
// with a small proto-max-bulk-len.
func TestDiffProtocol(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{ProtoMaxBulkLen: diffMaxBulk}, "--proto-max-bulk-len", "1mb")
	env.run(t, sessions(
		forProtocols("inline commands", "a", `
			a~ "PING\r\n"                          => 1
			a~ "PING\n"                            => 1
			a~ "ping hello\r\n"                    => 1
			a~ "   PING   \r\n"                    => 1
			a~ "\r\n\r\n\nPING\r\n"                => 1
			a~ "\tECHO\t\"tab bed\"\r\n"           => 1
			a~ "ECHO \"a b\\x41\\n\\t\\\\\\\"\"\r\n" => 1
			a~ "ECHO \"\\xzz\\q\"\r\n"             => 1
			a~ "ECHO 'it\\'s'\r\n"                 => 1
			a~ "ECHO 'a\\nb'\r\n"                  => 1
			a~ "ECHO \"\"\r\n"                     => 1
			a~ "ECHO ''\r\n"                       => 1
			a~ "ECHO a\"b c\"\r\n"                 => 1
			a~ "ECHO a'b c'\r\n"                   => 1
			a~ "ECHO x\ry\r\n"                     => 1
			a~ "ECHO a\x0bb\r\n"                   => 1
			a~ "ECHO \x0bab\r\n"                   => 1
			a~ "ECHO \"\xc3\xa9\"\r\n"             => 1
			a~ "ECHO a b\r\n"                      => 1
			a~ "NOPE x \"y z\"\r\n"                => 1
			a~ "SUBSCRIBE \"x y\" z\r\n"           => 2
			c: PUBLISH "x y" m                     => 1; a: 1
		`),
		forProtocols("pipelines", "a", `
			a~ "PING\r\n*1\r\n$4\r\nPING\r\nECHO x\r\n*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n" => 4
			a~ "*0\r\n*-1\r\n*-5\r\nPING\r\n"      => 1
			a~ "*1\r\n$4\r\nPI" "NG\r\n"          => 1
			a~ "*2\r\n$4\r\nECHO\r\n$3\r\nab"      => 0
			a~ "c\r\nPING\r\n"                     => 2
			a~ "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nNOPE\r\n*1\r\n$4\r\nPING\r\n" => 3
			a~ "   \r\n \t \n*1\r\n$4\r\nPING\r\n" => 1
			a~ "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING??" => 2
			a~ "\"\"\r\n"                      => 1
			a~ "*1\r\n$0\r\n\r\n"              => 1
			a~ "*2\r\n$0\r\n\r\n$1\r\nx\r\n"  => 1
			a~ "PING\r\nQUIT\r\nPING\r\n" => 2 closed
		`),
		forProtocols("long pipelines", "a b", longPipelineScript(300)),
		[]session{
			{name: "subscribed pipeline/RESP2", script: `
				a~ "SUBSCRIBE x\r\nPING\r\nPUBLISH x y\r\nUNSUBSCRIBE\r\nPUBLISH x y\r\n" => 5
			`},
			{name: "subscribed pipeline/RESP3", script: `
				a: HELLO 3 => 1 hello
				a~ "SUBSCRIBE x\r\nPING\r\nPUBLISH x y\r\nUNSUBSCRIBE\r\nPUBLISH x y\r\n" => 6
			`},
		},
		[]session{
			{name: "invalid multibulk length", script: `a~ "*abc\r\n" => 1 closed`},
			{name: "multibulk length with plus", script: `a~ "*+1\r\n" => 1 closed`},
			{name: "multibulk length too large", script: `a~ "*2147483648\r\n" => 1 closed`},
			{name: "multibulk length largest", script: `a~ "*2147483647\r\n$4\r\nPING\r\n+x\r\n" => 1 closed`},
			{name: "invalid bulk length", script: `a~ "*1\r\n$abc\r\n" => 1 closed`},
			{name: "negative bulk length", script: `a~ "*1\r\n$-1\r\n" => 1 closed`},
			{name: "expected dollar", script: `a~ "*1\r\n+PING\r\n" => 1 closed`},
			{name: "expected dollar after a good argument", script: `a~ "*2\r\n$4\r\nECHO\r\n:1\r\n" => 1 closed`},
			{name: "unbalanced double quote", script: `a~ "ECHO \"abc\r\n" => 1 closed`},
			{name: "unbalanced single quote", script: `a~ "ECHO 'abc\r\n" => 1 closed`},
			{name: "closing quote then text", script: `a~ "ECHO \"a\"b\r\n" => 1 closed`},
			{name: "error after good commands", script: `a~ "PING\r\nECHO x\r\n*x\r\nPING\r\n" => 3 closed`},
			{name: "error in subscribed mode", script: `
				a: SUBSCRIBE x                 => 1
				a~ "*1\r\n$x\r\n"              => 1 closed
				c: PUBSUB NUMSUB x             => 1
			`},
			{name: "bulk at proto-max-bulk-len", script: `
				a~ "*2\r\n$4\r\nECHO\r\n$1048576\r\n" => 0
				a~ "` + strings.Repeat("z", diffMaxBulk) + `\r\n" => 1
			`},
			{name: "bulk over proto-max-bulk-len", script: `a~ "*2\r\n$4\r\nECHO\r\n$1048577\r\n" => 1 closed`},
			{name: "too big inline request", script: `a~ "` + strings.Repeat("PING ", 14000) + `" => 1 closed`},
			{name: "inline request at the limit", script: `a~ "ECHO ` + strings.Repeat("w", 64<<10-8) + `\r\n" => 1`},
			{name: "too big multibulk count", script: `a~ "*` + strings.Repeat("1", 70000) + `" => 1 closed`},
			{name: "too big bulk count", script: `a~ "*1\r\n$` + strings.Repeat("1", 70000) + `" => 1 closed`},
		},
	))
}

// longPipelineScript has a publisher send n PUBLISH commands in one write
// to a channel with two subscribers, one of them also on a pattern.
func longPipelineScript(n int) string {
	var pipeline strings.Builder
	for i := range n {
		fmt.Fprintf(&pipeline, "PUBLISH news %d\\r\\n", i)
	}
	return fmt.Sprintf(`
		a: SUBSCRIBE news              => 1
		b: SUBSCRIBE news              => 1
		b: PSUBSCRIBE n*               => 1
		c~ "%s" => %d; a: %d; b: %d
		c: PUBSUB NUMSUB news          => 1
	`, pipeline.String(), n, n, 2*n)
}

// TestDiffMaxClients compares a server full at maxclients: the next
// connection gets Redis's error and is closed, and a client that leaves
// makes room at once.
func TestDiffMaxClients(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{MaxClients: 2}, "--maxclients", "2")
	env.run(t, []session{{name: "maxclients", script: `
		a: PING                        => 1
		b: SUBSCRIBE x                 => 1
		c~ ""                          => 1 closed
		b: QUIT                        => 1 closed
		d: PUBSUB NUMSUB x             => 1
		e~ ""                          => 1 closed
	`}})
}
