// Package apitoken makes, parses and checks gateway tokens.
//
// A gateway token reads "<id>-<secret>": the id is 10 lowercase letters and
// digits and names the token's row; the secret is 32 random bytes in
// base64url without padding. Only a SHA-256 hash of the secret is stored, and
// hashes are compared in constant time.
package apitoken

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
)

const (
	// IDLength is the number of characters in a token id.
	IDLength = 10
	// SecretBytes is the number of random bytes in a newly made secret.
	SecretBytes = 32

	idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// ErrMalformed is returned by Parse for a string that is not a gateway token.
var ErrMalformed = errors.New("malformed gateway token")

// Token is a gateway token split into its parts.
type Token struct {
	// ID names the token's row in api_tokens.
	ID string
	// Secret is the part of the token that only its holder knows.
	Secret string
}

// String returns the token as its holder presents it.
func (t Token) String() string {
	return t.ID + "-" + t.Secret
}

// Hash returns the SHA-256 hash of the token's secret, the only form of it
// that is stored.
func (t Token) Hash() []byte {
	sum := sha256.Sum256([]byte(t.Secret))
	return sum[:]
}

// Matches reports, in constant time, whether the token's secret hashes to
// stored.
func (t Token) Matches(stored []byte) bool {
	return subtle.ConstantTimeCompare(t.Hash(), stored) == 1
}

// New makes a token with a random id and a random secret.
func New() (Token, error) {
	id := make([]byte, IDLength)
	// Bytes of 252 and above are drawn again: 252 is the largest multiple of
	// 36 below 256, so every character is equally likely.
	buf := make([]byte, 1)
	for i := 0; i < IDLength; {
		if _, err := rand.Read(buf); err != nil {
			return Token{}, err
		}
		if buf[0] >= 252 {
			continue
		}
		id[i] = idAlphabet[int(buf[0])%len(idAlphabet)]
		i++
	}

	secret := make([]byte, SecretBytes)
	if _, err := rand.Read(secret); err != nil {
		return Token{}, err
	}
	return Token{ID: string(id), Secret: base64.RawURLEncoding.EncodeToString(secret)}, nil
}

// Parse splits s at its first "-" and checks both parts. It returns
// ErrMalformed when s cannot be a gateway token.
func Parse(s string) (Token, error) {
	id, secret, ok := strings.Cut(s, "-")
	if !ok || len(id) != IDLength {
		return Token{}, ErrMalformed
	}
	for i := 0; i < len(id); i++ {
		if !strings.ContainsRune(idAlphabet, rune(id[i])) {
			return Token{}, ErrMalformed
		}
	}

	raw, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil || len(raw) < SecretBytes {
		return Token{}, ErrMalformed
	}
	return Token{ID: id, Secret: secret}, nil
}
