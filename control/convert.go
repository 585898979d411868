package control

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Page sizes of the listings that take a limit.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// timestamp returns t as a protobuf timestamp, or nil when t is NULL.
func timestamp(t pgtype.Timestamptz) *timestamppb.Timestamp {
	if !t.Valid {
		return nil
	}
	return timestamppb.New(t.Time)
}

// timestamptz returns t as a Postgres timestamp, NULL when t is nil. A
// timestamp out of protobuf's range is an invalid argument in field.
func timestamptz(field string, t *timestamppb.Timestamp) (pgtype.Timestamptz, error) {
	if t == nil {
		return pgtype.Timestamptz{}, nil
	}
	if err := t.CheckValid(); err != nil {
		return pgtype.Timestamptz{}, invalid(field, "not a valid time")
	}
	return pgtype.Timestamptz{Time: t.AsTime(), Valid: true}, nil
}

// timestamptzOr is timestamptz with def in place of a nil t.
func timestamptzOr(
	field string, t *timestamppb.Timestamp, def time.Time,
) (pgtype.Timestamptz, error) {
	if t == nil {
		return pgtype.Timestamptz{Time: def, Valid: true}, nil
	}
	return timestamptz(field, t)
}

// parseID parses the UUID s of the request field. An empty or malformed
// id is an invalid argument.
func parseID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, invalid(field, "is required")
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, invalid(field, "not a UUID: %q", s)
	}
	return id, nil
}

// parseOptionalID is parseID for a field that may be empty; an empty s
// gives a NULL id.
func parseOptionalID(field, s string) (uuid.NullUUID, error) {
	if s == "" {
		return uuid.NullUUID{}, nil
	}
	id, err := parseID(field, s)
	if err != nil {
		return uuid.NullUUID{}, err
	}
	return uuid.NullUUID{UUID: id, Valid: true}, nil
}

// text returns s as Postgres text, NULL when s is empty.
func text(s string) pgtype.Text {
	return pgtype.Text{String: s, Valid: s != ""}
}

// pageSize checks a request's limit: zero means defaultPageSize, and a
// negative limit or one above maxPageSize is an invalid argument.
func pageSize(limit int32) (int32, error) {
	switch {
	case limit == 0:
		return defaultPageSize, nil
	case limit < 0:
		return 0, invalid("limit", "must not be negative")
	case limit > maxPageSize:
		return 0, invalid("limit", "must be at most %d", maxPageSize)
	}
	return limit, nil
}

// orInternal passes a service error through and reports anything else,
// such as a failed commit, as an internal error of what.
func orInternal(what string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return internal(what, err)
}
