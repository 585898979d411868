package providers

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"slices"
)

// hashDomain opens every encoding, so that a change of layout can never
// collide with an older hash: bump the version when canonicalFields changes.
const hashDomain = "aigateway/providers.Spec/v1"

// canonicalField is one field of a spec's canonical form. Values are lists
// so that scalar and list fields share one encoding.
type canonicalField struct {
	name  string
	value func(Spec) []string
}

// canonicalFields are the fields Hash covers and Diff compares, in encoding
// order. API keys are deliberately absent: rotating a key must not count as
// a configuration change.
var canonicalFields = []canonicalField{
	{"type", func(s Spec) []string { return []string{string(s.Type)} }},
	{"base_url", func(s Spec) []string { return []string{s.canonicalBaseURL()} }},
	{"bedrock.region", func(s Spec) []string { return []string{s.bedrock().Region} }},
	{"bedrock.base_url", func(s Spec) []string {
		return []string{canonicalURL(s.bedrock().BaseURL)}
	}},
	{"bedrock.model", func(s Spec) []string { return []string{s.bedrock().Model} }},
	{"bedrock.small_fast_model", func(s Spec) []string {
		return []string{s.bedrock().SmallFastModel}
	}},
	{"bedrock.access_key", func(s Spec) []string {
		return credentialParts(s.bedrock(), func(c AWSCredential) string { return c.AccessKey })
	}},
	{"bedrock.access_key_secret", func(s Spec) []string {
		return credentialParts(s.bedrock(), func(c AWSCredential) string { return c.Secret })
	}},
}

// Hash returns the SHA-256 of the spec's canonical form: its type, its
// normalised base URL (the type's default when empty) and its Bedrock
// settings, including AWS credentials. Name, API keys and KeysVar are not
// covered. A nil Bedrock hashes like an empty one.
//
// Each field is encoded as its name, a count of values and each value with
// its length in front, so that no two different specs share an encoding.
func (s Spec) Hash() [32]byte {
	h := sha256.New()
	writeString(h, hashDomain)

	for _, f := range canonicalFields {
		values := f.value(s)
		writeString(h, f.name)
		writeLength(h, len(values))
		for _, v := range values {
			writeString(h, v)
		}
	}

	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// Diff returns the names of the canonical fields that differ between s and
// o, in a fixed order: "type", "base_url", "bedrock.region",
// "bedrock.base_url", "bedrock.model", "bedrock.small_fast_model",
// "bedrock.access_key" and "bedrock.access_key_secret". It never returns
// values. Diff is empty exactly when the two hashes are equal.
func (s Spec) Diff(o Spec) []string {
	var fields []string
	for _, f := range canonicalFields {
		if !slices.Equal(f.value(s), f.value(o)) {
			fields = append(fields, f.name)
		}
	}
	return fields
}

// canonicalBaseURL returns the normalised base URL, or the type's default
// when none is set.
func (s Spec) canonicalBaseURL() string {
	if s.BaseURL == "" {
		return DefaultBaseURL(s.Type)
	}
	return canonicalURL(s.BaseURL)
}

// bedrock returns the Bedrock settings, or empty ones when there are none.
func (s Spec) bedrock() Bedrock {
	if s.Bedrock == nil {
		return Bedrock{}
	}
	return *s.Bedrock
}

// credentialParts returns one part of each of b's credentials, in order.
func credentialParts(b Bedrock, part func(AWSCredential) string) []string {
	parts := make([]string, 0, len(b.Credentials))
	for _, c := range b.Credentials {
		parts = append(parts, part(c))
	}
	return parts
}

// writeString writes s with its length in front.
func writeString(h hash.Hash, s string) {
	writeLength(h, len(s))
	h.Write([]byte(s))
}

// writeLength writes n as a fixed-width big-endian integer.
func writeLength(h hash.Hash, n int) {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(n))
	h.Write(buf[:])
}
