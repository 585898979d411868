package control

import (
	"errors"
	"fmt"

	"github.com/aigateway/aigateway/store"
)

// Code classifies an error for the transports. The values are gRPC's, so
// that DRPC carries the same numbers.
type Code uint32

// The codes the services return.
const (
	CodeInvalidArgument    Code = 3
	CodeNotFound           Code = 5
	CodeAlreadyExists      Code = 6
	CodePermissionDenied   Code = 7
	CodeFailedPrecondition Code = 9
	CodeInternal           Code = 13
	CodeUnauthenticated    Code = 16
)

// Error is a service error with its code. Field names the request field at
// fault for CodeInvalidArgument.
type Error struct {
	Code    Code
	Field   string
	Message string
	err     error
}

// Error returns the message, prefixed by the field when there is one.
func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.err }

func invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidArgument, Field: field, Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *Error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf(format, args...)}
}

func alreadyExists(format string, args ...any) *Error {
	return &Error{Code: CodeAlreadyExists, Message: fmt.Sprintf(format, args...)}
}

func denied(format string, args ...any) *Error {
	return &Error{Code: CodePermissionDenied, Message: fmt.Sprintf(format, args...)}
}

func precondition(format string, args ...any) *Error {
	return &Error{Code: CodeFailedPrecondition, Message: fmt.Sprintf(format, args...)}
}

// internal hides a store or driver error from the caller; the message says
// what failed, the wrapped error is for the server's log.
func internal(what string, err error) *Error {
	return &Error{Code: CodeInternal, Message: what + " failed", err: err}
}

// fromStore maps the store's sentinels, or reports an internal error.
func fromStore(what string, err error) error {
	err = store.MapError(err)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return notFound("%s: not found", what)
	case errors.Is(err, store.ErrAlreadyExists):
		return alreadyExists("%s: already exists", what)
	}
	return internal(what, err)
}

// CodeOf returns the code of err: its *Error's, or CodeInternal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
