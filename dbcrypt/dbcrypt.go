// Package dbcrypt seals secrets before they reach Postgres and opens them
// when they come back, so that a stolen database dump hands out no provider
// key and no user secret.
//
// Values are sealed with AES-256-GCM. A sealed value records a short digest
// of the key that sealed it, so several keys can coexist: the first key
// configured seals, every configured key opens. A value without the sealed
// prefix is plain text and is returned as it is, which lets a database move
// from plain to sealed values, and back, one row at a time.
package dbcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// KeySize is the length in bytes of an encryption key.
const KeySize = 32

// prefix starts every sealed value: "dbcrypt:v1:<digest>:<base64 data>".
const prefix = "dbcrypt:v1:"

// digestLen is the number of hex characters of a key digest.
const digestLen = 16

// ErrKeyMissing is wrapped by the errors of Open for a value sealed by a key
// that is not configured.
var ErrKeyMissing = errors.New("value sealed by a key that is not configured")

// Cipher seals and opens values. The zero of keys makes a Cipher that
// seals nothing and opens only plain values.
type Cipher struct {
	keys []key // keys[0] seals
}

type key struct {
	digest string
	aead   cipher.AEAD
}

// ParseKeys reads the comma-separated list of base64 keys of
// CODER_AI_GATEWAY_ENCRYPTION_KEYS. An error names a bad key by its
// position, never its value.
func ParseKeys(list string) ([][]byte, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var keys [][]byte
	for i, s := range strings.Split(list, ",") {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("encryption key %d: not valid base64", i+1)
		}
		if len(raw) != KeySize {
			return nil, fmt.Errorf("encryption key %d: %d bytes, want %d", i+1, len(raw), KeySize)
		}
		for j, k := range keys {
			if slices.Equal(k, raw) {
				return nil, fmt.Errorf("encryption key %d repeats key %d", i+1, j+1)
			}
		}
		keys = append(keys, raw)
	}
	return keys, nil
}

// New returns a Cipher over keys, the first of which seals.
func New(keys [][]byte) (*Cipher, error) {
	c := &Cipher{}
	for i, raw := range keys {
		if len(raw) != KeySize {
			return nil, fmt.Errorf("encryption key %d: %d bytes, want %d", i+1, len(raw), KeySize)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("encryption key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("encryption key %d: %w", i+1, err)
		}
		c.keys = append(c.keys, key{digest: Digest(raw), aead: aead})
	}
	return c, nil
}

// Digest returns the short digest that names a key in sealed values and in
// the dbcrypt_keys table.
func Digest(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])[:digestLen]
}

// Enabled reports whether the Cipher has a key to seal with.
func (c *Cipher) Enabled() bool {
	return c != nil && len(c.keys) > 0
}

// Digests returns the digests of the keys, the sealing one first.
func (c *Cipher) Digests() []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c.keys))
	for i, k := range c.keys {
		out[i] = k.digest
	}
	return out
}

// ActiveDigest returns the digest of the sealing key, or "".
func (c *Cipher) ActiveDigest() string {
	if !c.Enabled() {
		return ""
	}
	return c.keys[0].digest
}

// Seal seals plain with the first key, bound to purpose (the column it is
// stored in), so that a sealed value cannot be moved to another column.
// Without keys it returns plain unchanged.
func (c *Cipher) Seal(purpose, plain string) (string, error) {
	if !c.Enabled() {
		return plain, nil
	}
	k := c.keys[0]
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("make nonce: %w", err)
	}
	data := k.aead.Seal(nonce, nonce, []byte(plain), []byte(purpose))
	return prefix + k.digest + ":" + base64.RawStdEncoding.EncodeToString(data), nil
}

// Open returns the plain text of a value: a plain value as it is, a sealed
// one opened with the key its digest names. It fails, wrapping
// ErrKeyMissing, when that key is not configured.
func (c *Cipher) Open(purpose, value string) (string, error) {
	digest, data, sealed, err := split(value)
	if err != nil || !sealed {
		return value, err
	}
	for _, k := range c.keysOrNone() {
		if k.digest != digest {
			continue
		}
		ns := k.aead.NonceSize()
		if len(data) < ns {
			return "", errors.New("open sealed value: too short")
		}
		plain, err := k.aead.Open(nil, data[:ns], data[ns:], []byte(purpose))
		if err != nil {
			return "", fmt.Errorf("open sealed value of key %s: %w", digest, err)
		}
		return string(plain), nil
	}
	return "", fmt.Errorf("%w: digest %s", ErrKeyMissing, digest)
}

func (c *Cipher) keysOrNone() []key {
	if c == nil {
		return nil
	}
	return c.keys
}

// IsSealed reports whether a value is sealed, and by which key.
func IsSealed(value string) (digest string, sealed bool) {
	digest, _, sealed, err := split(value)
	return digest, sealed && err == nil
}

func split(value string) (digest string, data []byte, sealed bool, err error) {
	rest, ok := strings.CutPrefix(value, prefix)
	if !ok {
		return "", nil, false, nil
	}
	digest, enc, ok := strings.Cut(rest, ":")
	if !ok || len(digest) != digestLen {
		return "", nil, true, errors.New("malformed sealed value")
	}
	data, err = base64.RawStdEncoding.DecodeString(enc)
	if err != nil {
		return "", nil, true, errors.New("malformed sealed value")
	}
	return digest, data, true, nil
}
