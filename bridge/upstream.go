package bridge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/providers"
)

// peekBytes bounds how much of an upstream error body is read to classify
// it; error bodies are small.
const peekBytes = 64 << 10

// Errors that end an upstream call, as context causes.
var (
	errHeaderTimeout   = errors.New("upstream sent no response headers in time")
	errIdleTimeout     = errors.New("upstream stream went quiet for too long")
	errBlockingTimeout = errors.New("upstream did not finish in time")
)

// hopHeaders are the hop-by-hop headers, which never cross the gateway.
var hopHeaders = map[string]bool{
	"Connection":          true,
	"Keep-Alive":          true,
	"Proxy-Authenticate":  true,
	"Proxy-Authorization": true,
	"Proxy-Connection":    true,
	"Te":                  true,
	"Trailer":             true,
	"Transfer-Encoding":   true,
	"Upgrade":             true,
}

// dropRequestHeaders are the request headers that never go upstream besides
// the hop-by-hop ones: credentials, the gateway's own headers, and those the
// transport sets itself. Accept-Encoding is left to the transport, which
// asks for gzip and decodes it, so that the gateway can read the body.
var dropRequestHeaders = map[string]bool{
	"Authorization":   true,
	"X-Api-Key":       true,
	"Host":            true,
	"Content-Length":  true,
	"Accept-Encoding": true,
	http.CanonicalHeaderKey(HeaderGovernanceToken): true,
}

// upstreamHeader copies the client's headers that may go upstream.
func upstreamHeader(in http.Header) http.Header {
	out := make(http.Header, len(in))
	connection := in.Values("Connection")
	for k, vs := range in {
		if hopHeaders[k] || dropRequestHeaders[k] || listed(connection, k) {
			continue
		}
		out[k] = vs
	}
	return out
}

// copyResponseHeader copies the upstream's response headers to the client,
// apart from hop-by-hop headers and those the relay sets itself.
func copyResponseHeader(dst, src http.Header, secret string) {
	connection := src.Values("Connection")
	for k, vs := range src {
		if hopHeaders[k] || k == "Content-Length" || k == HeaderInterceptionID ||
			listed(connection, k) {
			continue
		}
		for _, v := range vs {
			dst.Add(k, scrubString(v, secret))
		}
	}
}

// listed reports whether a Connection header names key.
func listed(connection []string, key string) bool {
	for _, v := range connection {
		for _, name := range strings.Split(v, ",") {
			if http.CanonicalHeaderKey(strings.TrimSpace(name)) == key {
				return true
			}
		}
	}
	return false
}

// credentialHeader returns how a centralized key is presented to a
// provider type.
func credentialHeader(typ providers.Type, key string) (string, string) {
	if typ == providers.TypeAnthropic {
		return "X-Api-Key", key
	}
	return "Authorization", "Bearer " + key
}

// attempt is one upstream call's answer.
type attempt struct {
	resp *http.Response
	// secret is the key the gateway supplied, centralized or stored for the
	// user, scrubbed from what the client receives; empty when the client
	// sent its own.
	secret string
	// hint is the masked credential, for the record.
	hint string
}

// send calls the provider: once with the client's credential for BYOK,
// else walking the provider's key pool until a key is not refused.
func (q *request) send(ctx context.Context, body []byte) (attempt, *gatewayError) {
	if q.cred.byok() {
		//nolint:bodyclose // the response is the caller's, who closes its body.
		resp, err := q.do(ctx, body, q.cred.byokHeader, q.cred.byokValue)
		if err != nil {
			return attempt{}, q.unreachable(ctx, err)
		}
		value := strings.TrimPrefix(q.cred.byokValue, "Bearer ")
		return attempt{resp: resp, secret: q.cred.stored, hint: keyfailover.Mask(value)}, nil
	}

	pool, err := q.h.pool(q.provider)
	if err != nil {
		q.h.opts.Logger.Error("build key pool", "provider", q.provider.Name, "error", err)
		return attempt{}, errUnavailable("provider " + quote(q.provider.Name) +
			" has an invalid key configuration")
	}
	w := pool.Walk()
	for {
		k, err := w.Next()
		if err != nil {
			return attempt{}, exhausted(q.provider.Name, err)
		}

		name, value := credentialHeader(q.provider.Type, k.Value())
		resp, err := q.do(ctx, body, name, value)
		if err != nil {
			w.Report(k, keyfailover.Verdict{})
			return attempt{}, q.unreachable(ctx, err)
		}

		var peek []byte
		if resp.StatusCode >= http.StatusBadRequest {
			peek, resp.Body = peekBody(resp.Body)
		}
		// A Retry-After date is read on the pools' clock, which also
		// times the cooldown it names.
		now := q.h.opts.Keys.Now()
		v := keyfailover.ClassifyAt(now, resp.StatusCode, resp.Header, peek)
		w.Report(k, v)
		if !v.Failover {
			return attempt{resp: resp, secret: k.Value(), hint: k.Hint()}, nil
		}
		_ = resp.Body.Close()
	}
}

// do sends one upstream request with the credential header given.
func (q *request) do(
	ctx context.Context, body []byte, credName, credValue string,
) (*http.Response, error) {
	url := q.provider.BaseURL + upstreamPath(q.provider.Type, q.path)
	if q.r.URL.RawQuery != "" {
		url += "?" + q.r.URL.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, q.r.Method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = upstreamHeader(q.r.Header)
	if credName != "" {
		req.Header.Set(credName, credValue)
	}
	return q.h.opts.Transport.RoundTrip(req)
}

// unreachable maps a failed round trip to the client's answer.
func (q *request) unreachable(ctx context.Context, err error) *gatewayError {
	cause := context.Cause(ctx)
	timeout := errors.Is(cause, errHeaderTimeout) || errors.Is(cause, errBlockingTimeout)
	q.h.opts.Logger.Warn("upstream request failed",
		"provider", q.provider.Name, "error", err)
	return errUpstreamUnreachable(q.provider.Name, timeout)
}

// exhausted maps the end of a key walk to the client's answer.
func exhausted(provider string, err error) *gatewayError {
	var transient *keyfailover.TransientExhaustionError
	if errors.As(err, &transient) {
		return errKeysCooling(provider, transient.RetryAfterSeconds())
	}
	var permanent *keyfailover.PermanentExhaustionError
	if errors.As(err, &permanent) {
		return errKeysRejected(provider)
	}
	return errUnavailable("provider " + quote(provider) + " has no keys configured")
}

// peekBody reads the start of an error body and returns it with a body that
// still yields every byte.
func peekBody(body io.ReadCloser) ([]byte, io.ReadCloser) {
	peek, _ := io.ReadAll(io.LimitReader(body, peekBytes))
	return peek, struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(peek), body), body}
}

// scrub replaces a provider key the gateway sent with its mask, so that no
// upstream echo of the key reaches the client.
func scrub(b []byte, secret string) []byte {
	return scrubBytes(b, []byte(secret), secret)
}

// scrubBytes is scrub with the key already in bytes, for the stream relay,
// which scrubs every event with the same key.
func scrubBytes(b, secret []byte, secretString string) []byte {
	if len(secret) == 0 || !bytes.Contains(b, secret) {
		return b
	}
	return bytes.ReplaceAll(b, secret, []byte(keyfailover.Mask(secretString)))
}

func scrubString(s, secret string) string {
	if secret == "" || !strings.Contains(s, secret) {
		return s
	}
	return strings.ReplaceAll(s, secret, keyfailover.Mask(secret))
}
