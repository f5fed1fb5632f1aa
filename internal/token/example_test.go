package token_test

import (
	"fmt"
	"time"

	"github.com/heraldhq/herald/internal/token"
)

func Example() {
	secret := []byte("an example secret of at least 32 bytes")
	verifier, err := token.NewHS256Verifier(secret, token.Options{})
	if err != nil {
		panic(err)
	}
	// In production the application's login service issues the token.
	signed, err := token.Sign(secret, "user:42", []string{"orders:42:*", "chat:room1"}, []string{"chat:*"}, time.Hour)
	if err != nil {
		panic(err)
	}
	grant, err := verifier.Verify(signed)
	if err != nil {
		panic(err)
	}
	fmt.Println(grant.Subject)
	fmt.Println(grant.CanSubscribe("orders:42:shipped"), grant.CanSubscribe("orders:7:shipped"))
	fmt.Println(grant.CanPSubscribe("orders:42:*"), grant.CanPSubscribe("orders:*"))
	fmt.Println(grant.CanPublish("chat:room1"), grant.CanPublish("orders:42:shipped"))
	// Output:
	// user:42
	// true false
	// true false
	// true false
}
