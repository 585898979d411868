package control

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/gen/db"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/store"
)

// unknownClient is the client of an interception whose recorder named
// none, the word the data plane uses for a user agent it does not know.
const unknownClient = "unknown"

// InterceptionService implements aigatewayv1.InterceptionServiceServer.
// Owners, members and service accounts record interceptions, always as
// their own initiator; owners and auditors read every interception.
type InterceptionService struct {
	aigatewayv1.UnimplementedInterceptionServiceServer

	st *store.Store
}

// NewInterceptionService returns the interception service over st.
func NewInterceptionService(st *store.Store) *InterceptionService {
	return &InterceptionService{st: st}
}

// StartInterception records the start of an interception whose initiator
// is the caller. provider_name, provider_type and model are required;
// credential_kind is "centralized" or "byok"; an empty client is recorded
// as "unknown". A taken id is AlreadyExists.
func (s *InterceptionService) StartInterception(
	ctx context.Context, req *aigatewayv1.StartInterceptionRequest,
) (*aigatewayv1.StartInterceptionResponse, error) {
	ini, err := authorize(ctx, actRecord)
	if err != nil {
		return nil, err
	}
	id, err := newInterceptionID(req.GetId())
	if err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, value string }{
		{"provider_name", req.GetProviderName()},
		{"provider_type", req.GetProviderType()},
		{"model", req.GetModel()},
	} {
		if f.value == "" {
			return nil, invalid(f.name, "is required")
		}
	}
	kind := db.InterceptionCredentialKind(req.GetCredentialKind())
	if kind != db.InterceptionCredentialKindCentralized &&
		kind != db.InterceptionCredentialKindByok {
		return nil, invalid("credential_kind", "must be centralized or byok")
	}
	started, err := timestamptzOr("started_at", req.GetStartedAt(), time.Now())
	if err != nil {
		return nil, err
	}
	client := req.GetClient()
	if client == "" {
		client = unknownClient
	}

	err = s.st.Queries.InsertInterceptionStart(ctx, db.InsertInterceptionStartParams{
		ID:             id,
		InitiatorID:    ini.UserID,
		ProviderName:   req.GetProviderName(),
		ProviderType:   req.GetProviderType(),
		Model:          req.GetModel(),
		Client:         client,
		SessionID:      text(req.GetSessionId()),
		CredentialKind: kind,
		CredentialHint: req.GetCredentialHint(),
		StartedAt:      started,
	})
	if err != nil {
		return nil, fromStore("interception "+id.String(), err)
	}
	return &aigatewayv1.StartInterceptionResponse{Id: id.String()}, nil
}

// EndInterception records how one of the caller's interceptions ended. An
// interception ends once: ending it again is FailedPrecondition.
func (s *InterceptionService) EndInterception(
	ctx context.Context, req *aigatewayv1.EndInterceptionRequest,
) (*aigatewayv1.EndInterceptionResponse, error) {
	ini, err := authorize(ctx, actRecord)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	status := db.InterceptionStatus(req.GetStatus())
	switch status {
	case db.InterceptionStatusCompleted, db.InterceptionStatusFailed,
		db.InterceptionStatusCanceled:
	default:
		return nil, invalid("status", "must be completed, failed or canceled")
	}
	errType, err := errorType(req.GetErrorType())
	if err != nil {
		return nil, err
	}
	upstream := req.GetUpstreamStatus()
	if upstream != 0 && (upstream < 100 || upstream > 599) {
		return nil, invalid("upstream_status", "must be 0 or an HTTP status")
	}
	ended, err := timestamptzOr("ended_at", req.GetEndedAt(), time.Now())
	if err != nil {
		return nil, err
	}

	ic, err := s.own(ctx, ini, id)
	if err != nil {
		return nil, err
	}
	if ic.Status != db.InterceptionStatusInProgress {
		return nil, precondition("interception %s already ended", id)
	}
	n, err := s.st.Queries.EndInterception(ctx, db.EndInterceptionParams{
		Status:         status,
		ErrorType:      errType,
		ErrorMessage:   text(req.GetErrorMessage()),
		UpstreamStatus: pgtype.Int4{Int32: upstream, Valid: upstream != 0},
		EndedAt:        ended,
		ID:             id,
	})
	if err != nil {
		return nil, internal("end interception", err)
	}
	if n == 0 {
		// Ended by a concurrent call since the read above.
		return nil, precondition("interception %s already ended", id)
	}
	return &aigatewayv1.EndInterceptionResponse{}, nil
}

// RecordTokenUsage adds the usage of one upstream response to one of the
// caller's interceptions. Counts must not be negative; raw, when set, must
// be JSON.
func (s *InterceptionService) RecordTokenUsage(
	ctx context.Context, req *aigatewayv1.RecordTokenUsageRequest,
) (*aigatewayv1.RecordTokenUsageResponse, error) {
	id, err := s.recordingTo(ctx, req.GetInterceptionId())
	if err != nil {
		return nil, err
	}
	u := req.GetUsage()
	if u == nil {
		return nil, invalid("usage", "is required")
	}
	for _, f := range []struct {
		name  string
		count int64
	}{
		{"usage.input_tokens", u.GetInputTokens()},
		{"usage.output_tokens", u.GetOutputTokens()},
		{"usage.cache_read_input_tokens", u.GetCacheReadInputTokens()},
		{"usage.cache_write_input_tokens", u.GetCacheWriteInputTokens()},
	} {
		if f.count < 0 {
			return nil, invalid(f.name, "must not be negative")
		}
	}
	var raw []byte
	if u.GetRaw() != "" {
		if !json.Valid([]byte(u.GetRaw())) {
			return nil, invalid("usage.raw", "is not JSON")
		}
		raw = []byte(u.GetRaw())
	}
	created, err := timestamptzOr("usage.created_at", u.GetCreatedAt(), time.Now())
	if err != nil {
		return nil, err
	}

	err = s.st.Queries.InsertTokenUsage(ctx, db.InsertTokenUsageParams{
		InterceptionID: id,
		Input:          u.GetInputTokens(),
		Output:         u.GetOutputTokens(),
		CacheRead:      u.GetCacheReadInputTokens(),
		CacheWrite:     u.GetCacheWriteInputTokens(),
		Raw:            raw,
		CreatedAt:      created,
	})
	if err != nil {
		return nil, internal("record token usage", err)
	}
	return &aigatewayv1.RecordTokenUsageResponse{}, nil
}

// RecordPrompt adds a prompt of the user to one of the caller's
// interceptions.
func (s *InterceptionService) RecordPrompt(
	ctx context.Context, req *aigatewayv1.RecordPromptRequest,
) (*aigatewayv1.RecordPromptResponse, error) {
	id, err := s.recordingTo(ctx, req.GetInterceptionId())
	if err != nil {
		return nil, err
	}

	err = s.st.Queries.InsertPrompt(ctx, db.InsertPromptParams{
		InterceptionID: id,
		Prompt:         req.GetPrompt(),
		CreatedAt:      pgtype.Timestamptz{Time: time.Now(), Valid: true},
	})
	if err != nil {
		return nil, internal("record prompt", err)
	}
	return &aigatewayv1.RecordPromptResponse{}, nil
}

// RecordToolUsage adds a tool call of the model to one of the caller's
// interceptions. The tool's name is required; the input is kept as given.
func (s *InterceptionService) RecordToolUsage(
	ctx context.Context, req *aigatewayv1.RecordToolUsageRequest,
) (*aigatewayv1.RecordToolUsageResponse, error) {
	id, err := s.recordingTo(ctx, req.GetInterceptionId())
	if err != nil {
		return nil, err
	}
	tu := req.GetToolUsage()
	if tu == nil {
		return nil, invalid("tool_usage", "is required")
	}
	if tu.GetTool() == "" {
		return nil, invalid("tool_usage.tool", "is required")
	}
	created, err := timestamptzOr("tool_usage.created_at", tu.GetCreatedAt(), time.Now())
	if err != nil {
		return nil, err
	}

	err = s.st.Queries.InsertToolUsage(ctx, db.InsertToolUsageParams{
		InterceptionID: id,
		Tool:           tu.GetTool(),
		ToolCallID:     tu.GetToolCallId(),
		Input:          tu.GetInput(),
		CreatedAt:      created,
	})
	if err != nil {
		return nil, internal("record tool usage", err)
	}
	return &aigatewayv1.RecordToolUsageResponse{}, nil
}

// RecordThought adds a thinking or reasoning text to one of the caller's
// interceptions.
func (s *InterceptionService) RecordThought(
	ctx context.Context, req *aigatewayv1.RecordThoughtRequest,
) (*aigatewayv1.RecordThoughtResponse, error) {
	id, err := s.recordingTo(ctx, req.GetInterceptionId())
	if err != nil {
		return nil, err
	}

	err = s.st.Queries.InsertThought(ctx, db.InsertThoughtParams{
		InterceptionID: id,
		Content:        req.GetContent(),
		CreatedAt:      pgtype.Timestamptz{Time: time.Now(), Valid: true},
	})
	if err != nil {
		return nil, internal("record thought", err)
	}
	return &aigatewayv1.RecordThoughtResponse{}, nil
}

// recordingTo checks that the caller may record and names one of its own
// interceptions, and returns that interception's id.
func (s *InterceptionService) recordingTo(ctx context.Context, rawID string) (uuid.UUID, error) {
	ini, err := authorize(ctx, actRecord)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := parseID("interception_id", rawID)
	if err != nil {
		return uuid.Nil, err
	}
	if _, err := s.own(ctx, ini, id); err != nil {
		return uuid.Nil, err
	}
	return id, nil
}

// own returns the initiator and status of the interception id when the
// caller initiated it. Nobody records to another user's interception, not
// even an owner: the data plane records for whoever made the request.
func (s *InterceptionService) own(
	ctx context.Context, ini auth.Initiator, id uuid.UUID,
) (db.GetInterceptionInitiatorRow, error) {
	ic, err := s.st.Queries.GetInterceptionInitiator(ctx, id)
	if err != nil {
		return ic, fromStore("interception "+id.String(), err)
	}
	if ic.InitiatorID != ini.UserID {
		return ic, denied("interception %s belongs to another user", id)
	}
	return ic, nil
}

// newInterceptionID parses the id a recorder chose, or makes one: a
// time-ordered UUID, like the data plane's.
func newInterceptionID(s string) (uuid.UUID, error) {
	if s != "" {
		return parseID("id", s)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.Nil, internal("make interception id", err)
	}
	return id, nil
}

// errorType checks the error_type of a request; empty is NULL.
func errorType(s string) (db.NullInterceptionErrorType, error) {
	t := db.InterceptionErrorType(s)
	switch t {
	case "":
		return db.NullInterceptionErrorType{}, nil
	case db.InterceptionErrorTypeBadRequest, db.InterceptionErrorTypeUnauthorized,
		db.InterceptionErrorTypeRateLimited, db.InterceptionErrorTypeOverloaded,
		db.InterceptionErrorTypeServerError, db.InterceptionErrorTypeTimeout,
		db.InterceptionErrorTypeCanceled, db.InterceptionErrorTypeUnknown:
		return db.NullInterceptionErrorType{InterceptionErrorType: t, Valid: true}, nil
	}
	return db.NullInterceptionErrorType{}, invalid("error_type",
		"must be bad_request, unauthorized, rate_limited, overloaded, server_error, "+
			"timeout, canceled or unknown")
}
