package server

// Redis's error replies, word for word as redis-server 7.0 sends them
// (without the leading '-'). Handlers use these, never their own text; the
// differential tests compare them with a real redis-server.
const (
	errSyntax          = "ERR syntax error"
	errNotInteger      = "ERR value is not an integer or out of range"
	errDBIndex         = "ERR DB index is out of range"
	errNoAuth          = "NOAUTH Authentication required."
	errWrongPass       = "WRONGPASS invalid username-password pair or user is disabled."
	errAuthNoPassword  = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errNoProto         = "NOPROTO unsupported protocol version"
	errMaxClients      = "ERR max number of clients reached"
	errNoSuchClient    = "ERR No such client"
	errClientName      = "ERR Client names cannot contain spaces, newlines or special characters."
	errDebugDisabled   = `ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`
	errSubscribeCtxFmt = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
	errUnknownCmdFmt   = "ERR unknown command '%s', with args beginning with: %s"
	errUnknownSubFmt   = "ERR unknown subcommand '%s'. Try %s HELP."
	errArityFmt        = "ERR wrong number of arguments for '%s' command"
	errHelloOptionFmt  = "ERR Syntax error in HELLO option '%s'"
	errUnsupportedFmt  = "ERR %s is not supported by Herald"
)
