package server

import (
	"crypto/rand"
	"encoding/hex"
)

func registerServer(t commandTable) {
}

// newRunID returns a random 40-character hex run id, as Redis's.
func newRunID() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
