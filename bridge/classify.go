package bridge

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/aigateway/aigateway/recorder"
)

// Short names of the recorder's error types.
const (
	errorTypeBadRequest   = recorder.ErrorTypeBadRequest
	errorTypeUnauthorized = recorder.ErrorTypeUnauthorized
	errorTypeRateLimited  = recorder.ErrorTypeRateLimited
	errorTypeOverloaded   = recorder.ErrorTypeOverloaded
	errorTypeServer       = recorder.ErrorTypeServerError
	errorTypeTimeout      = recorder.ErrorTypeTimeout
	errorTypeCanceled     = recorder.ErrorTypeCanceled
	errorTypeUnknown      = recorder.ErrorTypeUnknown
)

// errorTypeForStatus classifies an upstream error status.
func errorTypeForStatus(status int) recorder.ErrorType {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden ||
		status == http.StatusPaymentRequired:
		return errorTypeUnauthorized
	case status == http.StatusTooManyRequests:
		return errorTypeRateLimited
	case status == http.StatusServiceUnavailable || status == 529:
		return errorTypeOverloaded
	case status == http.StatusGatewayTimeout || status == http.StatusRequestTimeout:
		return errorTypeTimeout
	case status >= 500:
		return errorTypeServer
	case status >= 400:
		return errorTypeBadRequest
	}
	return errorTypeUnknown
}

// errorTypeForProvider classifies the error type a provider named inside a
// stream.
func errorTypeForProvider(t string) recorder.ErrorType {
	switch t {
	case "invalid_request_error", "not_found_error", "request_too_large", "bad_request":
		return errorTypeBadRequest
	case "authentication_error", "permission_error", "invalid_api_key":
		return errorTypeUnauthorized
	case "rate_limit_error", "rate_limit_exceeded", "insufficient_quota":
		return errorTypeRateLimited
	case "overloaded_error", "service_unavailable", "server_is_overloaded":
		return errorTypeOverloaded
	case "api_error", "server_error", "internal_error":
		return errorTypeServer
	case "timeout", "timeout_error":
		return errorTypeTimeout
	}
	return errorTypeUnknown
}

// errorMessage reads error.message from an error body of either shape.
func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error.Message
}

// clients maps user agent fragments, lowercased, to client names. The
// first match wins.
var clients = []struct{ fragment, name string }{
	{"claude-cli", "claude-code"},
	{"claude-code", "claude-code"},
	{"codex", "codex"},
	{"cursor", "cursor"},
	{"kilo-code", "kilo-code"},
	{"roo-code", "roo-code"},
	{"cline", "cline"},
	{"zed", "zed"},
	{"copilot", "copilot"},
	{"opencode", "opencode"},
	{"goose", "goose"},
	{"continue", "continue"},
	{"aider", "aider"},
}

// guessClient names the client from its user agent, or "unknown".
func guessClient(userAgent string) string {
	ua := strings.ToLower(userAgent)
	for _, c := range clients {
		if strings.Contains(ua, c.fragment) {
			return c.name
		}
	}
	return "unknown"
}

// sessionHeaders carry a client's session id; Go's server canonicalises
// Codex's "session_id" to "Session_id".
var sessionHeaders = []string{"X-Claude-Code-Session-Id", "Session_id", "X-Session-Id"}

// sessionID returns the session id a client sent, or "".
func sessionID(h http.Header) string {
	for _, name := range sessionHeaders {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}
