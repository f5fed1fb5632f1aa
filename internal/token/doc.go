// Package token verifies the JSON Web Tokens that authorize browsers and
// services on Herald's HTTP gateway (WebSocket, SSE and HTTP publish), and
// turns a verified token into a Grant: who the client is and which channels
// it may subscribe to and publish to.
//
// # Keys and algorithms
//
// A Verifier accepts exactly one algorithm, fixed by its key:
//
//   - NewHS256Verifier: an HMAC secret of at least 32 bytes, HS256;
//   - NewPublicKeyVerifier: a PEM public key, either a PKIX "PUBLIC KEY"
//     block holding an RSA key (RS256) or an ECDSA P-256 key (ES256), or a
//     PKCS#1 "RSA PUBLIC KEY" block (RS256). RSA keys must have at least
//     2048 bits. Private keys, certificates and other key types are refused
//     with an error that says what to pass instead.
//
// A token signed with any other algorithm, "none" included, is refused with
// ErrWrongAlgorithm before its signature is looked at, so an HS256 token
// signed with an RSA public key as its secret cannot pass an RS256 verifier.
//
// # Claims
//
// Herald reads these claims (every other claim is ignored):
//
//	sub        REQUIRED string: the client's identity, shown in presence.
//	exp        REQUIRED NumericDate: the token is refused from then on.
//	nbf        optional; enforced when present.
//	iss, aud   checked only when the Verifier is configured with an issuer
//	           or audience, and then required.
//	subscribe  optional array of channel globs the client may subscribe to.
//	publish    optional array of channel globs the client may publish to.
//
// exp and nbf are checked with a leeway for clock skew (Options.Leeway,
// DefaultLeeway unless set). A missing subscribe or publish claim grants
// nothing. Both are arrays of
// strings; a single string is refused as malformed. The globs are Redis
// globs, matched with Herald's glob package exactly as Redis matches them
// (`*`, `?`, `[a-z]`, `[^x]`, `\` escapes; `*` crosses `:` and `/`).
//
// An example payload, for a client that may follow its own orders, read
// chat room 1 and the typing indicators of rooms 0 to 9, and post in any
// chat room:
//
//	{
//	  "sub": "user:42",
//	  "exp": 1798761600,
//	  "subscribe": ["orders:42:*", "chat:room1", "typing:room[0-9]"],
//	  "publish": ["chat:*"]
//	}
//
// # The rules
//
// These are Redis's ACL rules for channels (the "&pattern" rules of ACL
// SETUSER), applied to the subscribe and publish lists separately:
//
//   - CanSubscribe(channel) and CanPublish(channel): some glob of the list
//     matches the channel.
//   - CanPSubscribe(pattern): the pattern equals one of the subscribe globs,
//     byte for byte. "orders:*" in the token allows PSUBSCRIBE "orders:*"
//     but neither "orders:1*" (narrower, but Redis does not reason about
//     globs) nor "*".
//   - The glob "*" alone is Redis's allchannels ("&*"): it allows every
//     channel, the empty one included, and every pattern. "**" is an
//     ordinary glob.
//
// A Grant does not watch the clock: a connection that outlives the token's
// Expiry keeps its rights unless the gateway closes it at Expiry.
//
// # Where the token travels
//
// FromRequest takes the token from an "Authorization: Bearer" header, else
// from a query parameter (browsers cannot set headers on WebSocket or
// EventSource), else from a cookie. A query parameter ends up in access logs
// and proxies, so such tokens should be short-lived; and a cookie is sent by
// the browser on cross-site requests too, so a WebSocket upgrade authorized
// by a cookie must check the Origin header (Find reports where the token
// came from). Verifier.VerifyRequest finds and verifies in one call.
//
// # Errors
//
// Verify returns an error that wraps exactly one of the sentinel errors
// (ErrNoToken, ErrMalformed, ErrWrongAlgorithm, ErrBadSignature, ErrExpired,
// ErrNotYetValid, ErrMissingExpiry, ErrMissingSubject, ErrWrongIssuer,
// ErrWrongAudience); find it with errors.Is. The sentinels' texts are meant
// for the client in a 401 reply; the wrapping error adds detail for logs.
//
// # Tokens for tests and tooling
//
// Sign makes an HS256 token. It is meant for tests, the README's example
// token command and local tooling; production tokens come from the
// application's own login service, which holds the secret or private key.
package token
