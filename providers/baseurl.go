package providers

import (
	"errors"
	"net/url"
	"strings"
)

// ErrInvalidBaseURL is returned for a base URL that is not an absolute http
// or https URL with a host.
var ErrInvalidBaseURL = errors.New("must be an absolute http or https URL with a host")

// ErrBaseURLCredentials is returned for a base URL that carries user
// credentials; keys belong in the key variables, where they are kept secret.
var ErrBaseURLCredentials = errors.New("must not carry user credentials")

// NormaliseBaseURL checks that raw is an absolute http or https URL with a
// host and returns it in canonical form: scheme and host in lowercase, no
// trailing slash. The errors it returns never contain raw.
func NormaliseBaseURL(raw string) (string, error) {
	// The parse error quotes its input, which may hold a secret, so it is
	// replaced rather than wrapped.
	u, err := url.Parse(raw)
	if err != nil {
		return "", ErrInvalidBaseURL
	}

	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", ErrInvalidBaseURL
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return "", ErrInvalidBaseURL
	}
	if u.User != nil {
		return "", ErrBaseURLCredentials
	}

	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u.String(), nil
}

// canonicalURL normalises raw when it can and keeps it as it is otherwise, so
// that a malformed URL stored elsewhere still hashes deterministically.
func canonicalURL(raw string) string {
	if raw == "" {
		return ""
	}
	if u, err := NormaliseBaseURL(raw); err == nil {
		return u
	}
	return raw
}
