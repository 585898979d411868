package recorder

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// ErrInvalid is wrapped by the errors of Interception.Validate.
var ErrInvalid = errors.New("invalid interception")

// CredentialKind says whose provider credential a request went upstream with.
type CredentialKind string

// The credential kinds.
const (
	// CredentialCentralized is the organisation's key, held by the gateway.
	CredentialCentralized CredentialKind = "centralized"
	// CredentialBYOK is the client's own key.
	CredentialBYOK CredentialKind = "byok"
)

// Status is the state an interception ended in.
type Status string

// The statuses.
const (
	// StatusInProgress is the status of an interception whose start was
	// recorded and whose end was not yet. It is the only status without an
	// end time.
	StatusInProgress Status = "in_progress"
	// StatusCompleted means the upstream answered in full.
	StatusCompleted Status = "completed"
	// StatusFailed means the upstream or the gateway failed the request.
	StatusFailed Status = "failed"
	// StatusCanceled means the client went away before the end.
	StatusCanceled Status = "canceled"
)

// ErrorType classifies the error that ended a failed or canceled
// interception.
type ErrorType string

// The error types.
const (
	// ErrorTypeBadRequest is an upstream 400 or a request it refused.
	ErrorTypeBadRequest ErrorType = "bad_request"
	// ErrorTypeUnauthorized is an upstream 401 or 403.
	ErrorTypeUnauthorized ErrorType = "unauthorized"
	// ErrorTypeRateLimited is an upstream 429.
	ErrorTypeRateLimited ErrorType = "rate_limited"
	// ErrorTypeOverloaded is an upstream that says it is overloaded, such as
	// Anthropic's 529.
	ErrorTypeOverloaded ErrorType = "overloaded"
	// ErrorTypeServerError is an upstream 5xx.
	ErrorTypeServerError ErrorType = "server_error"
	// ErrorTypeTimeout is a request that ran past one of its timeouts.
	ErrorTypeTimeout ErrorType = "timeout"
	// ErrorTypeCanceled is a request the client canceled.
	ErrorTypeCanceled ErrorType = "canceled"
	// ErrorTypeUnknown is any other error.
	ErrorTypeUnknown ErrorType = "unknown"
)

// Interception is everything recorded about one bridged request. Optional
// fields are stored as NULL when they hold their zero value.
type Interception struct {
	// ID identifies the interception. The data plane chooses it when the
	// request starts; it must not be uuid.Nil.
	ID uuid.UUID
	// InitiatorID is the user on whose behalf the request ran.
	InitiatorID uuid.UUID
	// ProviderName is the provider's name at the time of the request.
	ProviderName string
	// ProviderType is the provider's type, such as "openai".
	ProviderType string
	// Model is the model as the client asked for it.
	Model string
	// Client is the client guessed from the user agent, such as
	// "claude-code", or "unknown".
	Client string
	// SessionID is the session id the client sent; empty when none.
	SessionID string
	// CredentialKind says whose key went upstream.
	CredentialKind CredentialKind
	// CredentialHint is a masked hint of that key, never the key itself.
	CredentialHint string
	// StartedAt is when the request arrived.
	StartedAt time.Time
	// EndedAt is when the response ended; zero exactly when Status is
	// StatusInProgress.
	EndedAt time.Time
	// Status is the state the interception ended in.
	Status Status
	// ErrorType classifies the error, if any; empty when none.
	ErrorType ErrorType
	// ErrorMessage describes the error; empty when none.
	ErrorMessage string
	// UpstreamStatus is the upstream's HTTP status; 0 when no upstream
	// answered.
	UpstreamStatus int

	// TokenUsages holds the usage of each upstream response, in order.
	TokenUsages []TokenUsage
	// Prompts holds the user's prompts, in order; normally one.
	Prompts []string
	// ToolUsages holds the tool calls the model made, in order.
	ToolUsages []ToolUsage
	// Thoughts holds the thinking or reasoning summary texts, in order.
	Thoughts []string
}

// TokenUsage is the token usage of one upstream response.
type TokenUsage struct {
	// Input counts the input tokens neither read from nor written to the
	// prompt cache.
	Input int64
	// Output counts the output tokens.
	Output int64
	// CacheRead counts the input tokens read from the prompt cache.
	CacheRead int64
	// CacheWrite counts the input tokens written to the prompt cache.
	CacheWrite int64
	// Raw is the provider's usage object; nil when there is none. Postgres
	// keeps it as jsonb, so it reads back equal as JSON but reformatted;
	// text that is not valid JSON is stored as NULL.
	Raw json.RawMessage
	// CreatedAt is when the usage was seen. Zero means the interception's
	// EndedAt, or its StartedAt while it is in progress.
	CreatedAt time.Time
}

// ToolUsage is one tool call the model made.
type ToolUsage struct {
	// Tool is the name of the tool called.
	Tool string
	// ToolCallID is the provider's id for the call.
	ToolCallID string
	// Input is the call's arguments as the JSON text the model produced,
	// kept byte for byte.
	Input string
	// CreatedAt is when the call was seen. Zero means the interception's
	// EndedAt, or its StartedAt while it is in progress.
	CreatedAt time.Time
}

// Validate reports, wrapping ErrInvalid, the first field that the database
// would refuse or that breaks a rule above.
func (ic *Interception) Validate() error {
	switch {
	case ic.ID == uuid.Nil:
		return fmt.Errorf("%w: no id", ErrInvalid)
	case ic.InitiatorID == uuid.Nil:
		return fmt.Errorf("%w: no initiator", ErrInvalid)
	case ic.StartedAt.IsZero():
		return fmt.Errorf("%w: no start time", ErrInvalid)
	case !ic.CredentialKind.valid():
		return fmt.Errorf("%w: credential kind %q", ErrInvalid, ic.CredentialKind)
	case !ic.Status.valid():
		return fmt.Errorf("%w: status %q", ErrInvalid, ic.Status)
	case ic.ErrorType != "" && !ic.ErrorType.valid():
		return fmt.Errorf("%w: error type %q", ErrInvalid, ic.ErrorType)
	case (ic.Status == StatusInProgress) != ic.EndedAt.IsZero():
		return fmt.Errorf("%w: status %s with end time %v", ErrInvalid, ic.Status, ic.EndedAt)
	case ic.UpstreamStatus != 0 && (ic.UpstreamStatus < 100 || ic.UpstreamStatus > 599):
		return fmt.Errorf("%w: upstream status %d", ErrInvalid, ic.UpstreamStatus)
	}
	for _, u := range ic.TokenUsages {
		if u.Input < 0 || u.Output < 0 || u.CacheRead < 0 || u.CacheWrite < 0 {
			return fmt.Errorf("%w: negative token count", ErrInvalid)
		}
	}
	return nil
}

// recordedAt is the time stored for a record of ic that carries none.
func (ic *Interception) recordedAt() time.Time {
	if ic.EndedAt.IsZero() {
		return ic.StartedAt
	}
	return ic.EndedAt
}

func (k CredentialKind) valid() bool {
	return k == CredentialCentralized || k == CredentialBYOK
}

func (s Status) valid() bool {
	switch s {
	case StatusInProgress, StatusCompleted, StatusFailed, StatusCanceled:
		return true
	}
	return false
}

func (e ErrorType) valid() bool {
	switch e {
	case ErrorTypeBadRequest, ErrorTypeUnauthorized, ErrorTypeRateLimited,
		ErrorTypeOverloaded, ErrorTypeServerError, ErrorTypeTimeout,
		ErrorTypeCanceled, ErrorTypeUnknown:
		return true
	}
	return false
}
