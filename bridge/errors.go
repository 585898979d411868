package bridge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/recorder"
)

// shape is the error body format a client understands.
type shape int

const (
	shapeOpenAI shape = iota
	shapeAnthropic
)

// shapeFor picks the error shape of a provider type.
func shapeFor(typ providers.Type) shape {
	if typ == providers.TypeAnthropic {
		return shapeAnthropic
	}
	return shapeOpenAI
}

// shapeForPath picks the error shape when no provider is known: Anthropic
// for the Messages API, OpenAI otherwise.
func shapeForPath(path string) shape {
	if t, ok := parsePath(path); ok && strings.HasPrefix(t.path, "/v1/messages") {
		return shapeAnthropic
	}
	return shapeOpenAI
}

// gatewayError is an answer the gateway makes itself, in either shape.
type gatewayError struct {
	status        int
	anthropicType string
	openaiType    string
	openaiCode    string
	message       string
	// retryAfter, when positive, is sent as the Retry-After header.
	retryAfter int
	// errorType classifies the error for the interception record.
	errorType recorder.ErrorType
}

func errNotFound(msg string) *gatewayError {
	return &gatewayError{
		status: http.StatusNotFound, anthropicType: "not_found_error",
		openaiType: "invalid_request_error", openaiCode: "not_found",
		message: msg, errorType: errorTypeBadRequest,
	}
}

func errUnauthenticated(msg string) *gatewayError {
	return &gatewayError{
		status: http.StatusUnauthorized, anthropicType: "authentication_error",
		openaiType: "invalid_request_error", openaiCode: "invalid_api_key",
		message: msg, errorType: errorTypeUnauthorized,
	}
}

func errBYOKDisabled() *gatewayError {
	return &gatewayError{
		status: http.StatusForbidden, anthropicType: "permission_error",
		openaiType: "invalid_request_error", openaiCode: "byok_disabled",
		message: "bring-your-own-key requests are disabled on this gateway; " +
			"an operator enables them with --allow-byok (CODER_AI_GATEWAY_ALLOW_BYOK=true)",
		errorType: errorTypeUnauthorized,
	}
}

// errNoBYOKCredential answers a BYOK request that carries no provider key
// when the user keeps none under secret.
func errNoBYOKCredential(typ providers.Type, secret string) *gatewayError {
	header := "Authorization: Bearer"
	if typ == providers.TypeAnthropic {
		header = "X-Api-Key"
	}
	return &gatewayError{
		status: http.StatusUnauthorized, anthropicType: "authentication_error",
		openaiType: "invalid_request_error", openaiCode: "invalid_api_key",
		message: "no provider credential was sent (" + header + ") and none is stored " +
			"as user secret " + strconv.Quote(secret) + "; send your key, or store it with " +
			"`aigateway secrets create " + secret + "`",
		errorType: errorTypeUnauthorized,
	}
}

func errTooLarge() *gatewayError {
	return &gatewayError{
		status: http.StatusRequestEntityTooLarge, anthropicType: "request_too_large",
		openaiType: "invalid_request_error", openaiCode: "request_too_large",
		message:   "request body is larger than " + strconv.Itoa(maxBodyBytes>>20) + " MiB",
		errorType: errorTypeBadRequest,
	}
}

func errBadRequest(msg string) *gatewayError {
	return &gatewayError{
		status: http.StatusBadRequest, anthropicType: "invalid_request_error",
		openaiType: "invalid_request_error", openaiCode: "invalid_request",
		message: msg, errorType: errorTypeBadRequest,
	}
}

func errUnavailable(msg string) *gatewayError {
	return &gatewayError{
		status: http.StatusServiceUnavailable, anthropicType: "api_error",
		openaiType: "server_error", openaiCode: "provider_unavailable",
		message: msg, errorType: errorTypeServer,
	}
}

func errNotImplemented(msg string) *gatewayError {
	return &gatewayError{
		status: http.StatusNotImplemented, anthropicType: "api_error",
		openaiType: "server_error", openaiCode: "not_implemented",
		message: msg, errorType: errorTypeServer,
	}
}

func errKeysCooling(provider string, retryAfter int) *gatewayError {
	return &gatewayError{
		status: http.StatusTooManyRequests, anthropicType: "rate_limit_error",
		openaiType: "rate_limit_error", openaiCode: "rate_limit_exceeded",
		message: "no key of provider " + strconv.Quote(provider) + " can be used now; " +
			"the first one cooling down after a rate limit frees up in " +
			strconv.Itoa(retryAfter) + " s",
		retryAfter: retryAfter, errorType: errorTypeRateLimited,
	}
}

func errKeysRejected(provider string) *gatewayError {
	return &gatewayError{
		status: http.StatusBadGateway, anthropicType: "api_error",
		openaiType: "server_error", openaiCode: "upstream_keys_rejected",
		message: "the upstream rejected every configured key of provider " +
			strconv.Quote(provider) + "; an operator must replace them",
		errorType: errorTypeServer,
	}
}

func errBreakerOpen(provider string, retryAfter int) *gatewayError {
	return &gatewayError{
		status: http.StatusServiceUnavailable, anthropicType: "overloaded_error",
		openaiType: "server_error", openaiCode: "service_unavailable",
		message: "provider " + strconv.Quote(provider) +
			" is overloaded; the gateway holds requests back for " + strconv.Itoa(retryAfter) + " s",
		retryAfter: retryAfter, errorType: errorTypeOverloaded,
	}
}

func errUpstreamUnreachable(provider string, timeout bool) *gatewayError {
	e := &gatewayError{
		status: http.StatusBadGateway, anthropicType: "api_error",
		openaiType: "server_error", openaiCode: "upstream_error",
		message:   "could not reach provider " + strconv.Quote(provider),
		errorType: errorTypeServer,
	}
	if timeout {
		e.status = http.StatusGatewayTimeout
		e.message = "provider " + strconv.Quote(provider) + " did not answer in time"
		e.errorType = errorTypeTimeout
	}
	return e
}

// Error returns the message.
func (e *gatewayError) Error() string { return e.message }

// body renders the error in a shape.
func (e *gatewayError) body(s shape) []byte {
	var v any
	if s == shapeAnthropic {
		v = anthropicError{Type: "error", Error: anthropicErrorDetail{
			Type: e.anthropicType, Message: e.message,
		}}
	} else {
		v = openaiError{Error: openaiErrorDetail{
			Message: e.message, Type: e.openaiType, Code: e.openaiCode,
		}}
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Both types hold strings only.
		panic("bridge: marshal error body: " + err.Error())
	}
	return b
}

// write sends the error to the client.
func (e *gatewayError) write(w http.ResponseWriter, s shape) {
	body := e.body(s)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

type anthropicError struct {
	Type  string               `json:"type"`
	Error anthropicErrorDetail `json:"error"`
}

type anthropicErrorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

type openaiError struct {
	Error openaiErrorDetail `json:"error"`
}

type openaiErrorDetail struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}
