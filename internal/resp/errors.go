package resp

// ProtocolError is a request Redis refuses to parse. The server writes
// Error() as an error reply ("-" + Error() + "\r\n") and then closes the
// connection, as Redis does.
type ProtocolError struct {
	// Text is Redis's exact reply text, without the leading '-' and the
	// trailing CRLF.
	Text string
	// Reason is the short description Redis writes to its log at verbose
	// level ("Protocol error (<Reason>) from client: ...").
	Reason string
}

// Error returns the reply text.
func (e *ProtocolError) Error() string { return e.Text }

// The protocol errors of Redis 7.0's processMultibulkBuffer and
// processInlineBuffer (src/networking.c), each with the reason Redis logs.
// They are shared values: a caller must not modify them.
var (
	errTooBigInline = &ProtocolError{
		"ERR Protocol error: too big inline request", "too big inline request"}
	errUnbalancedQuotes = &ProtocolError{
		"ERR Protocol error: unbalanced quotes in request", "unbalanced quotes in inline request"}
	errTooBigMultibulkCount = &ProtocolError{
		"ERR Protocol error: too big mbulk count string", "too big mbulk count string"}
	errInvalidMultibulkLen = &ProtocolError{
		"ERR Protocol error: invalid multibulk length", "invalid mbulk count"}
	errUnauthMultibulkLen = &ProtocolError{
		"ERR Protocol error: unauthenticated multibulk length", "unauth mbulk count"}
	errTooBigBulkCount = &ProtocolError{
		"ERR Protocol error: too big bulk count string", "too big bulk count string"}
	errInvalidBulkLen = &ProtocolError{
		"ERR Protocol error: invalid bulk length", "invalid bulk length"}
	errUnauthBulkLen = &ProtocolError{
		"ERR Protocol error: unauthenticated bulk length", "unauth bulk length"}
)

// errExpectedDollar is Redis's reply when a multibulk element does not
// start with '$'. Like Redis's "%c", got is written as the raw byte, except
// that CR and LF become spaces, as addReplyErrorFormat makes them.
func errExpectedDollar(got byte) *ProtocolError {
	if got == '\r' || got == '\n' {
		got = ' '
	}
	return &ProtocolError{
		Text:   "ERR Protocol error: expected '$', got '" + string([]byte{got}) + "'",
		Reason: "expected $ but got something else",
	}
}
