package fakellm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Fault is a failure that fakellm plays instead of a good answer.
type Fault string

// The faults, as the --fault flag and the X-Fakellm-Fault header spell them.
const (
	// FaultNone is a good answer.
	FaultNone Fault = ""
	// FaultRateLimit answers 429 with a Retry-After header.
	FaultRateLimit Fault = "429"
	// FaultUnauthorized answers 401, as for a key that is not valid.
	FaultUnauthorized Fault = "401"
	// FaultForbidden answers 403, as for a key without permission.
	FaultForbidden Fault = "403"
	// FaultUnavailable answers 503.
	FaultUnavailable Fault = "503"
	// FaultOverloaded answers 529, Anthropic's overloaded status.
	FaultOverloaded Fault = "529"
	// FaultStreamError sends half the chunks of a stream, then the
	// provider's error event, and ends the stream. A blocking request gets
	// 500 instead.
	FaultStreamError Fault = "stream-error"
	// FaultCut sends half the chunks of a stream (half the body of a
	// blocking answer), then the start of an event, and drops the
	// connection.
	FaultCut Fault = "cut"
	// FaultStall sends half the chunks of a stream (nothing of a blocking
	// answer), then nothing more until the client gives up, the server
	// closes, or Options.StallTimeout passes; the connection is then
	// dropped.
	FaultStall Fault = "stall"
)

var faults = []Fault{
	FaultRateLimit, FaultUnauthorized, FaultForbidden, FaultUnavailable,
	FaultOverloaded, FaultStreamError, FaultCut, FaultStall,
}

// ParseFault reads a fault by its name: 429, 401, 403, 503, 529,
// stream-error, cut or stall.
func ParseFault(s string) (Fault, error) {
	for _, f := range faults {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(faults))
	for i, f := range faults {
		names[i] = string(f)
	}
	return FaultNone, fmt.Errorf("unknown fault %q: want one of %s", s,
		strings.Join(names, ", "))
}

// status is the HTTP status a fault answers with, or 0 for the faults that
// happen inside an answer.
func (f Fault) status() int {
	switch f {
	case FaultRateLimit:
		return http.StatusTooManyRequests
	case FaultUnauthorized:
		return http.StatusUnauthorized
	case FaultForbidden:
		return http.StatusForbidden
	case FaultUnavailable:
		return http.StatusServiceUnavailable
	case FaultOverloaded:
		return statusOverloaded
	}
	return 0
}

// statusOverloaded is Anthropic's status for an overloaded API.
const statusOverloaded = 529

// providerError is how each provider describes a failure status.
type providerError struct {
	openAIType, openAICode string
	anthropicType          string
	message                string
}

var providerErrors = map[int]providerError{
	http.StatusBadRequest: {
		"invalid_request_error", "", "invalid_request_error",
		"The request is not valid.",
	},
	http.StatusUnauthorized: {
		"invalid_request_error", "invalid_api_key",
		"authentication_error", "Incorrect API key provided.",
	},
	http.StatusForbidden: {
		"invalid_request_error", "permission_denied",
		"permission_error", "This API key is not allowed to use this resource.",
	},
	http.StatusNotFound: {
		"invalid_request_error", "unknown_url", "not_found_error",
		"Unknown request URL.",
	},
	http.StatusMethodNotAllowed: {
		"invalid_request_error", "method_not_allowed",
		"invalid_request_error", "Method not allowed.",
	},
	http.StatusTooManyRequests: {
		"requests", "rate_limit_exceeded", "rate_limit_error",
		"Rate limit reached for requests (fakellm). Please try again later.",
	},
	http.StatusInternalServerError: {
		"server_error", "", "api_error",
		"The server had an error while processing your request.",
	},
	http.StatusServiceUnavailable: {
		"server_error", "", "api_error",
		"The server is overloaded or not ready yet.",
	},
	statusOverloaded: {"server_error", "overloaded", "overloaded_error", "Overloaded"},
}

// errorBody renders the error body of status in a provider's shape, with
// msg in place of the usual message when it is not empty. It marshals, so
// the fixed bodies are rendered once, at start.
func errorBody(anthropic bool, status int, msg string) []byte {
	pe := providerErrors[status]
	if msg == "" {
		msg = pe.message
	}
	// Structs keep the members in the providers' order.
	var v any
	if anthropic {
		type detail struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		}
		v = struct {
			Type  string `json:"type"`
			Error detail `json:"error"`
		}{"error", detail{pe.anthropicType, msg}}
	} else {
		type detail struct {
			Message string  `json:"message"`
			Type    string  `json:"type"`
			Param   *string `json:"param"`
			Code    *string `json:"code"`
		}
		d := detail{Message: msg, Type: pe.openAIType}
		if pe.openAICode != "" {
			d.Code = &pe.openAICode
		}
		v = struct {
			Error detail `json:"error"`
		}{d}
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("fakellm: marshal an error body of strings: " + err.Error())
	}
	return b
}

// errorBodies holds the rendered error body of every status in
// providerErrors, for each shape: [0] OpenAI, [1] Anthropic.
var errorBodies = func() map[int][2][]byte {
	m := make(map[int][2][]byte, len(providerErrors))
	for status := range providerErrors {
		m[status] = [2][]byte{errorBody(false, status, ""), errorBody(true, status, "")}
	}
	return m
}()

// writeError answers status with the provider's error body; msg, when not
// empty, replaces the usual message.
func writeError(w http.ResponseWriter, anthropic bool, status int, msg string) {
	var body []byte
	if msg != "" {
		body = errorBody(anthropic, status, msg)
	} else {
		i := 0
		if anthropic {
			i = 1
		}
		body = errorBodies[status][i]
	}
	h := w.Header()
	h["Content-Type"] = jsonType
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
