package server

import "testing"

// TestDiffClient compares CLIENT REPLY with pub/sub (acks and messages
// still arrive when replies are off) and the CLIENT subcommands whose
// replies do not depend on timing.
func TestDiffClient(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		forProtocols("client reply off with pubsub", "a", `
			a: CLIENT REPLY OFF            => 0
			a: PING                        => 0
			a: NOPE                        => 0
			a: SUBSCRIBE x y               => 2
			a: PSUBSCRIBE x*               => 1
			a: SSUBSCRIBE s                => 1
			c: PUBLISH x m1                => 1; a: 2
			c: SPUBLISH s m2               => 1; a: 1
			a: PING                        => 0
			a: ECHO e                      => 0
			a: UNSUBSCRIBE                 => 2 acks
			a: PUNSUBSCRIBE x*             => 1
			a: SUNSUBSCRIBE                => 1
			a: UNSUBSCRIBE                 => 1
			a: CLIENT REPLY ON             => 1
			a: PING                        => 1
		`),
		forProtocols("client reply skip with pubsub", "a", `
			a: CLIENT REPLY SKIP           => 0
			a: PING                        => 0
			a: PING                        => 1
			a: CLIENT REPLY SKIP           => 0
			a: SUBSCRIBE x                 => 1
			c: PUBLISH x m                 => 1; a: 1
			a: UNSUBSCRIBE                 => 1
			a: CLIENT REPLY OFF            => 0
			a: CLIENT REPLY SKIP           => 0
			a: PING                        => 0
			a: CLIENT REPLY ON             => 1
		`),
		[]session{{name: "client reply skip twice",
			script: `
			a: CLIENT REPLY SKIP           => 0
			a: CLIENT REPLY SKIP           => 0
			a: PING                        => 0
			a: PING                        => 1
		`}},
		forProtocols("client reply in a pipeline", "a", `
			a~ "CLIENT REPLY OFF\r\nPING\r\nSUBSCRIBE x\r\nPING\r\nUNSUBSCRIBE\r\nCLIENT REPLY ON\r\nPING\r\n" => 4
		`),
		forProtocols("client reply and reset", "a", `
			a: CLIENT REPLY OFF            => 0
			a: RESET                       => 1
			a: PING                        => 1
			a: CLIENT REPLY SKIP           => 0
			a: RESET                       => 0
			a: PING                        => 1
		`),
		[]session{{name: "client reply in subscribed mode", script: `
			a: SUBSCRIBE x                 => 1
			a: CLIENT REPLY OFF            => 1
			a: PING                        => 1
		`}},
		forProtocols("client reply errors", "a", `
			a: CLIENT REPLY                => 1
			a: CLIENT REPLY MAYBE          => 1
			a: CLIENT REPLY on             => 1
			a: CLIENT REPLY ON x           => 1
		`),
		forProtocols("client names", "a", `
			a: CLIENT GETNAME              => 1
			a: CLIENT SETNAME x            => 1
			a: CLIENT GETNAME              => 1
			a: CLIENT SETNAME "a b"        => 1
			a: CLIENT SETNAME "a\nb"       => 1
			a: CLIENT SETNAME ""           => 1
			a: CLIENT GETNAME              => 1
			a: CLIENT SETNAME              => 1
			a: CLIENT GETNAME x            => 1
			a: CLIENT ID                   => 1 int
			a: CLIENT ID x                 => 1
		`),
		forProtocols("client help", "a", `
			a: CLIENT HELP                 => 1
		`),
		forProtocols("client misc", "a", `
			a: CLIENT NO-EVICT ON          => 1
			a: CLIENT NO-EVICT off         => 1
			a: CLIENT NO-EVICT maybe       => 1
			a: CLIENT KILL 1.2.3.4:5       => 1
			a: CLIENT KILL ADDR 1.2.3.4:5  => 1
			a: CLIENT KILL ID 999999       => 1
			a: CLIENT KILL ID x            => 1
			a: CLIENT KILL TYPE nope       => 1
			a: CLIENT KILL NOPE x          => 1
			a: CLIENT KILL TYPE pubsub     => 1
			b: SUBSCRIBE x                 => 1
			a: CLIENT KILL TYPE pubsub     => 1; b: 0 closed
			a: PUBSUB NUMSUB x             => 1
		`),
		forProtocols("client list and info", "a b", `
			a: CLIENT SETNAME me           => 1
			a: SELECT 2                    => 1
			b: SUBSCRIBE x y               => 2
			b: PSUBSCRIBE p                => 1
			b: SSUBSCRIBE s                => 1
			a: CLIENT INFO                 => 1 client
			a: CLIENT LIST                 => 1 client
			a: CLIENT LIST TYPE pubsub     => 1 client
			a: CLIENT LIST TYPE normal     => 1 client
			a: CLIENT LIST TYPE replica    => 1
			b: UNSUBSCRIBE                 => 2 acks
			a: CLIENT LIST                 => 1 client
		`),
		forProtocols("client list errors", "a", `
			a: CLIENT LIST TYPE pubsub     => 1
			a: CLIENT LIST TYPE nope       => 1
			a: CLIENT LIST ID x            => 1
		`),
	))
}
