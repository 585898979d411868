package keyfailover

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Reason says why a key left the valid state. The zero Reason, ReasonNone,
// means the answer says nothing about the key. Reasons double as metric
// label values.
type Reason string

// The reasons a key is marked. Rate limits and exhausted quotas cool a key
// down for a while; authentication, billing and disabled keys are taken out
// of rotation until a probe succeeds.
const (
	ReasonNone           Reason = ""
	ReasonRateLimit      Reason = "rate_limit"
	ReasonQuota          Reason = "quota"
	ReasonAuthentication Reason = "authentication"
	ReasonBilling        Reason = "billing"
	ReasonDisabled       Reason = "disabled"
)

// Permanent reports whether a key marked for r leaves rotation until a probe
// succeeds, rather than for a cooldown.
func (r Reason) Permanent() bool {
	return r == ReasonAuthentication || r == ReasonBilling || r == ReasonDisabled
}

// QuotaErrorCodes are the error types or codes that turn a 429 from a rate
// limit into an exhausted quota, which cools the key down for longer.
// OpenAI sends insufficient_quota as both the type and the code.
var QuotaErrorCodes = []string{"insufficient_quota"}

// DisabledErrorCodes are the error types or codes that make a 403 mean the key
// or its account is disabled, so that the key is marked permanent and the walk
// fails over. Any other 403 is relayed as it is.
//
// The list holds OpenAI codes that name the key or its account:
// account_deactivated (the account behind the key was deactivated),
// invalid_api_key (the key was revoked or never existed) and no_organization
// (the key's user belongs to no organization). OpenAI usually sends these with
// a 401, which is permanent anyway; the list covers compatible upstreams that
// send them with a 403. Anthropic's permission_error is deliberately left out:
// it also answers a key that may not use one model or one feature, and other
// keys or other requests may well succeed.
var DisabledErrorCodes = []string{"account_deactivated", "invalid_api_key", "no_organization"}

// Verdict is what one upstream answer says about the key that was used and
// about the walk. The zero Verdict means: no mark, no failover, the walk is
// over; report it for a call that ended without an answer (network error,
// cancelled request).
type Verdict struct {
	// Success is true for a 2xx answer: the key works and the walk is over.
	Success bool
	// Failover is true when the walk should go on to the next key.
	Failover bool
	// Reason, when not ReasonNone, marks the key: temporary for
	// ReasonRateLimit and ReasonQuota, permanent for the others.
	Reason Reason
	// Wait is the wait the upstream named with retry-after-ms or
	// Retry-After, zero when it named none. The pool turns it into a
	// cooldown within its Options.
	Wait time.Duration
}

// Classify reads an upstream answer: its status, its headers and the first
// bytes of its body (a few KiB are plenty; a truncated body is fine). It reads
// a Retry-After date against the real clock; see ClassifyAt.
//
//   - 2xx: success.
//   - 429: temporary, ReasonQuota when the error type or code is in
//     QuotaErrorCodes, else ReasonRateLimit; failover.
//   - 401: permanent, ReasonAuthentication; failover.
//   - 402: permanent, ReasonBilling; failover.
//   - 403 with an error type or code in DisabledErrorCodes: permanent,
//     ReasonDisabled; failover.
//   - anything else, any other 403 included: no mark, no failover.
//
// The error type and code are read from the OpenAI shape
// {"error":{"type":..,"code":..}} and the Anthropic shape
// {"type":"error","error":{"type":..}}.
func Classify(status int, header http.Header, body []byte) Verdict {
	return ClassifyAt(time.Now(), status, header, body)
}

// ClassifyAt is Classify with the current time given, against which a
// Retry-After date is read.
func ClassifyAt(now time.Time, status int, header http.Header, body []byte) Verdict {
	switch {
	case status >= 200 && status < 300:
		return Verdict{Success: true}
	case status == http.StatusTooManyRequests:
		v := Verdict{Failover: true, Reason: ReasonRateLimit, Wait: namedWait(now, header)}
		if matchesAny(errorCodes(body), QuotaErrorCodes) {
			v.Reason = ReasonQuota
		}
		return v
	case status == http.StatusUnauthorized:
		return Verdict{Failover: true, Reason: ReasonAuthentication}
	case status == http.StatusPaymentRequired:
		return Verdict{Failover: true, Reason: ReasonBilling}
	case status == http.StatusForbidden && matchesAny(errorCodes(body), DisabledErrorCodes):
		return Verdict{Failover: true, Reason: ReasonDisabled}
	}
	return Verdict{}
}

// namedWait returns the wait the upstream named: retry-after-ms when it holds
// a positive number of milliseconds, else Retry-After as a positive number of
// seconds or as an HTTP date still in the future. Zero means none.
func namedWait(now time.Time, header http.Header) time.Duration {
	if d, ok := positiveDuration(header.Get("Retry-After-Ms"), time.Millisecond); ok {
		return d
	}

	v := strings.TrimSpace(header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if d, ok := positiveDuration(v, time.Second); ok {
		return d
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// positiveDuration parses v as a positive, finite number of units. It clamps
// what would overflow a time.Duration.
func positiveDuration(v string, unit time.Duration) (time.Duration, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || f <= 0 {
		return 0, false
	}

	d := f * float64(unit)
	if d >= math.MaxInt64 {
		return math.MaxInt64, true
	}
	if d < 1 {
		return 0, false
	}
	return time.Duration(d), true
}

// matchesAny reports whether any of found is one of want.
func matchesAny(found [2]string, want []string) bool {
	for _, f := range found {
		if f != "" && slices.Contains(want, f) {
			return true
		}
	}
	return false
}

// errorCodes returns the "type" and "code" members of the body's top-level
// "error" object, or empty strings for what it cannot find. It reads the body
// token by token so that a truncated body still yields what precedes the cut,
// and so that words inside error messages never match.
func errorCodes(body []byte) [2]string {
	var found [2]string
	dec := json.NewDecoder(bytes.NewReader(body))
	if !openObject(dec) {
		return found
	}

	for dec.More() {
		key, ok := readString(dec)
		if !ok {
			return found
		}
		if key != "error" {
			if !skipValue(dec) {
				return found
			}
			continue
		}

		// The error member may be a plain string, in which case there is
		// nothing more to learn.
		if !openObject(dec) {
			return found
		}
		for dec.More() {
			member, ok := readString(dec)
			if !ok {
				return found
			}
			switch member {
			case "type":
				found[0], ok = readString(dec)
			case "code":
				found[1], ok = readString(dec)
			default:
				ok = skipValue(dec)
			}
			if !ok {
				return found
			}
		}
		return found
	}
	return found
}

// openObject reads one token and reports whether it opened an object.
func openObject(dec *json.Decoder) bool {
	tok, err := dec.Token()
	return err == nil && tok == json.Delim('{')
}

// readString reads one value. It returns the value when it is a string, and
// an empty string, after skipping it, when it is anything else. It reports
// false when the body ends or breaks.
func readString(dec *json.Decoder) (string, bool) {
	tok, err := dec.Token()
	if err != nil {
		return "", false
	}
	if s, ok := tok.(string); ok {
		return s, true
	}
	return "", skipRest(dec, tok)
}

// skipValue reads and drops one value, however deeply nested.
func skipValue(dec *json.Decoder) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	return skipRest(dec, tok)
}

// skipRest drops the rest of a value whose first token was tok.
func skipRest(dec *json.Decoder, tok json.Token) bool {
	if d, ok := tok.(json.Delim); !ok || (d != '{' && d != '[') {
		return true
	}

	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return true
}
