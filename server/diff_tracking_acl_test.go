package server

import "testing"

// CLIENT TRACKING with ACL users, against redis-server 7.0: tracking does
// not look at the user's keys (a BCAST client hears of keys it may not
// read, an invalidation goes to a redirect target of another user), a key
// refused with NOPERM is not tracked, a revoked redirect target is closed
// and the redirect is then broken, and RESET turns tracking off and goes
// back to the default user.
func TestDiffTrackingACL(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	runTrackingSessions(t, env, []session{
		{name: "bcast hears keys the user may not read", script: `
			u: ACL SETUSER lim on >pw +@all ~a* &* => 1
			a: HELLO 3 AUTH lim pw            => 1 hello
			a: CLIENT TRACKING on BCAST       => 1
			a: GET b1                         => 1
			b: SET b1 x                       => 1; a: 1
			b: SET a1 x                       => 1; a: 1
			u: ACL DELUSER lim                => 1; a: 0 closed
		`},
		{name: "a refused read is not tracked", script: `
			u: ACL SETUSER lim on >pw +@all ~a* &* => 1
			a: HELLO 3 AUTH lim pw            => 1 hello
			a: CLIENT TRACKING on             => 1
			a: GET b1                         => 1
			a: MGET a1 b1                     => 1
			a: GET a1                         => 1
			b: SET b1 y                       => 1
			b: SET a1 y                       => 1; a: 1
			u: ACL DELUSER lim                => 1; a: 0 closed
		`},
		{name: "redirect to a client of another user, revoked", script: `
			u: ACL SETUSER lis on >pw +@all ~* &__redis__:invalidate => 1
			u: ACL SETUSER lim on >pw +@all ~a* => 1
			r: AUTH lis pw                    => 1
			~id r
			r: SUBSCRIBE __redis__:invalidate => 1
			a: HELLO 3 AUTH lim pw            => 1 hello
			a: CLIENT TRACKING on REDIRECT {r} => 1
			a: GET a1                         => 1
			b: SET a1 z                       => 1; r: 1
			a: GET a1                         => 1
			u: ACL SETUSER lis resetchannels  => 1; r: 0 closed
			b: SET a1 w                       => 1; a: 1 int
			a: CLIENT TRACKINGINFO            => 1 int
			u: ACL DELUSER lis lim            => 1; a: 0 closed
		`},
		{name: "reset turns tracking off and the user back to default", script: `
			u: ACL SETUSER lim on >pw +@all ~* &* => 1
			a: HELLO 3 AUTH lim pw            => 1 hello
			a: CLIENT TRACKING on             => 1
			a: GET k                          => 1
			a: RESET                          => 1
			a: ACL WHOAMI                     => 1
			a: CLIENT TRACKINGINFO            => 1
			a: HELLO 3                        => 1 hello
			b: SET k 1                        => 1
			a: CLIENT TRACKING on             => 1
			a: GET k                          => 1
			u: ACL DELUSER lim                => 1
			b: SET k 2                        => 1; a: 1
		`},
		{name: "tracking refused to a user without client", script: `
			u: ACL SETUSER lim on >pw +@all -client ~* &* => 1
			a: AUTH lim pw                    => 1
			a: CLIENT TRACKING on             => 1
			a: CLIENT CACHING yes             => 1
			u: ACL DELUSER lim                => 1; a: 0 closed
		`},
		{name: "tracking subcommands refused one by one", script: `
			u: ACL SETUSER lim on >pw +@all -client|tracking -client|getredir ~* &* => 1
			a: HELLO 3 AUTH lim pw            => 1 hello
			a: CLIENT TRACKING on             => 1
			a: CLIENT GETREDIR                => 1
			a: CLIENT TRACKINGINFO            => 1
			u: ACL SETUSER lim -@connection   => 1
			a: CLIENT TRACKINGINFO            => 1
			u: ACL SETUSER lim -@all +client|tracking +get => 1
			a: CLIENT TRACKING on BCAST PREFIX a => 1
			a: GET b                          => 1
			b: SET a1 x                       => 1; a: 1
			u: ACL DELUSER lim                => 1; a: 0 closed
		`},
	})
}
