package server

// Redis's error replies, word for word as redis-server 7.0 sends them
// (without the leading '-'). Handlers use these, never their own text; the
// differential tests compare them with a real redis-server.
const (
	errSyntax          = "ERR syntax error"
	errNotInteger      = "ERR value is not an integer or out of range"
	errIntRange        = "ERR value is out of range, value must between -2147483648 and 2147483647"
	errDBIndex         = "ERR DB index is out of range"
	errNoAuth          = "NOAUTH Authentication required."
	errWrongPass       = "WRONGPASS invalid username-password pair or user is disabled."
	errAuthNoPassword  = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errProtoNotInteger = "ERR Protocol version is not an integer or out of range"
	errHelloNoAuth     = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
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

// Errors of CLIENT, CONFIG, COMMAND and FUNCTION, as redis-server 7.0 sends
// them (CLIENT SETINFO: as 7.2 does), and Herald's own where Redis has no
// such limit.
const (
	errClientTypeFmt    = "ERR Unknown client type '%s'"
	errInvalidClientID  = "ERR Invalid client ID"
	errClientIDPositive = "ERR client-id should be greater than 0"
	errNoSuchUserFmt    = "ERR No such user '%s'"
	errSetInfoOptionFmt = "ERR Unrecognized option '%s'"
	errSetInfoValueFmt  = "ERR %s cannot contain spaces, newlines or special characters."
	errConfigUnknownFmt = "ERR Unknown option or number of arguments for CONFIG SET - '%s'"
	errConfigSetFmt     = "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
	errConfigNoFile     = "ERR The server is running without a config file"
	errGetKeysInvalid   = "ERR Invalid command specified"
	errGetKeysNoKeys    = "ERR The command has no key arguments"
	errGetKeysArity     = "ERR Invalid number of arguments specified for command"
	errGetKeysArgs      = "ERR Invalid arguments specified for command"
	errFunctionFlush    = "ERR FUNCTION FLUSH only supports SYNC|ASYNC option"
	errNoScriptingFmt   = "ERR %s is not supported by Herald: it has no scripting engine"
	// Herald's max-subscriptions-per-client and max-pattern-len.
	errMaxSubscriptionsFmt = "ERR max subscriptions per client reached (max-subscriptions-per-client is %d)"
	errPatternTooLongFmt   = "ERR pattern too long (max-pattern-len is %d)"
)

// Errors of the generic key commands and the string commands, as
// redis-server 7.0.15 sends them. errWrongType is every type's.
const (
	errWrongType         = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errInvalidExpireFmt  = "ERR invalid expire time in '%s' command"
	errNoSuchKey         = "ERR no such key"
	errSameObject        = "ERR source and destination objects are the same"
	errNotFloat          = "ERR value is not a valid float"
	errIncrNaN           = "ERR increment would produce NaN or Infinity"
	errIncrOverflow      = "ERR increment or decrement would overflow"
	errDecrOverflow      = "ERR decrement would overflow"
	errStringTooLong     = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	errBitOffset         = "ERR bit offset is not an integer or out of range"
	errBitValue          = "ERR bit is not an integer or out of range"
	errOffsetRange       = "ERR offset is out of range"
	errExpireNXXX        = "ERR NX and XX, GT or LT options at the same time are not compatible"
	errExpireGTLT        = "ERR GT and LT options at the same time are not compatible"
	errUnsupportedOptFmt = "ERR Unsupported option %s"
	errInvalidCursor     = "ERR invalid cursor"
	errNoLFU             = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errLFUNoIdle         = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// Errors of the sorted-set commands, as redis-server 7.0.15 sends them.
const (
	errZAddNXXX       = "ERR XX and NX options at the same time are not compatible"
	errZAddGTLTNX     = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errZAddIncrPair   = "ERR INCR option supports a single increment-element pair"
	errZScoreNaN      = "ERR resulting score is not a number (NaN)"
	errZMinMaxFloat   = "ERR min or max is not a float"
	errZLexRange      = "ERR min or max not valid string range item"
	errZLimitRank     = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZWithScoresLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	errZCountPositive = "ERR value is out of range, must be positive"

	errZAtLeastOneKeyFmt = "ERR at least 1 input key is needed for '%s' command"
	errZWeightFloat      = "ERR weight value is not a float"
	errZLimitNegative    = "ERR LIMIT can't be negative"
	errZNumkeys          = "ERR numkeys should be greater than 0"
	errZCountGT0         = "ERR count should be greater than 0"
	errZRandCountRange   = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errZValueRange       = "ERR value is out of range"
)

// Errors of the hash and set commands, as redis-server 7.0.15 sends them.
const (
	errHashNotInteger   = "ERR hash value is not an integer"
	errHashNotFloat     = "ERR hash value is not a float"
	errIncrNaNOrInf     = "ERR value is NaN or Infinity"
	errRandomCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errRandomPairsRange = "ERR value is out of range"
	errPopCountRange    = "ERR value is out of range, must be positive"
	errNumKeysZero      = "ERR numkeys should be greater than 0"
	errNumKeysTooMany   = "ERR Number of keys can't be greater than number of args"
	errLimitNegative    = "ERR LIMIT can't be negative"
)

// Errors of the list commands and the blocking ones, as redis-server
// 7.0.15 sends them.
const (
	errMustBePositive  = "ERR value is out of range, must be positive"
	errIndexRange      = "ERR index out of range"
	errRankZero        = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errCountNegative   = "ERR COUNT can't be negative"
	errMaxlenNegative  = "ERR MAXLEN can't be negative"
	errTimeoutNotFloat = "ERR timeout is not a float or out of range"
	errTimeoutNegative = "ERR timeout is negative"
)

// errProtectedMode is what Redis 7.0 sends a client that connects from
// outside the loopback interface while protected mode is on and the
// default user has no password, before it closes the connection.
const errProtectedMode = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."

// Errors of ACL and its subcommands, as redis-server 7.0.15 sends them. The
// reasons go in errACLSetUserFmt (ACL SETUSER) and in ACL LOAD's messages.
const (
	errACLSetUserFmt        = "ERR Error in ACL SETUSER modifier '%s': %s"
	errACLUnmatchedParenFmt = "ERR Unmatched parenthesis in acl selector starting at '%s'."
	errACLUsernameSpaces    = "ERR Usernames can't contain spaces or null characters"
	errACLDeleteDefault     = "ERR The 'default' user cannot be removed"
	errACLUnknownCategory   = "ERR Unknown category '%s'"
	errACLGenpassBits       = "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"
	errACLUserNotFoundFmt   = "ERR User '%s' not found"
	errACLCommandNotFound   = "ERR Command '%s' not found"
	errACLNoFile            = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."
	errACLSaveFailed        = "ERR There was an error trying to save the ACLs. Please check the server logs for more information"

	errACLReasonUnknown     = "Unknown command or category name in ACL"
	errACLReasonSyntax      = "Syntax error"
	errACLReasonAllKeys     = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
	errACLReasonAllChannels = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
	errACLReasonNoPass      = "The password you are trying to remove from the user does not exist"
	errACLReasonHash        = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
	errACLReasonFirstArgSub = "Allowing first-arg of a subcommand is not supported"
)

// errACLChangedInMulti starts EXEC's error for a queued command that the
// user's permissions no longer allow; aclDenial.execReason ends it.
const errACLChangedInMulti = "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: "

// CLIENT TRACKING and CLIENT CACHING (cmd_tracking.go).
const (
	errTrackingNoRedirect    = "ERR The client ID you want redirect to does not exist"
	errTrackingOneRedirect   = "ERR A client can only redirect to a single other client"
	errTrackingPrefixNoBcast = "ERR PREFIX option requires BCAST mode to be enabled"
	errTrackingSwitchBcast   = "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."
	errTrackingOptBcast      = "ERR OPTIN and OPTOUT are not compatible with BCAST"
	errTrackingOptBoth       = "ERR You can't specify both OPTIN mode and OPTOUT mode"
	errTrackingSwitchOpt     = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."
	errPrefixOverlapOwnFmt   = "ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client must not overlap."
	errPrefixOverlapListFmt  = "ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client must not overlap."
	errCachingNotTracking    = "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
	errCachingYes            = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
	errCachingNo             = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
)
