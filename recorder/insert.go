package recorder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aigateway/aigateway/store"
)

// insertSQL writes a batch of interceptions and all their records in one
// statement, so one round trip and one implicit transaction: either the whole
// batch lands or none of it. Each parameter is an array holding one column,
// and the children only go in for interceptions that were new, so writing a
// batch again after a commit whose answer was lost changes nothing. Enum
// values and raw usage travel as text and are cast here, so the connection
// needs no knowledge of the custom types.
const insertSQL = `
WITH ins AS (
    INSERT INTO interceptions (
        id, initiator_id, provider_name, provider_type, model, client, session_id,
        credential_kind, credential_hint, started_at, ended_at, status,
        error_type, error_message, upstream_status
    )
    SELECT
        id, initiator_id, provider_name, provider_type, model, client, session_id,
        credential_kind::interception_credential_kind, credential_hint, started_at,
        ended_at, status::interception_status,
        error_type::interception_error_type, error_message, upstream_status
    FROM unnest(
        $1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
        $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[],
        $12::text[], $13::text[], $14::text[], $15::int[]
    ) AS t (
        id, initiator_id, provider_name, provider_type, model, client, session_id,
        credential_kind, credential_hint, started_at, ended_at, status,
        error_type, error_message, upstream_status
    )
    ON CONFLICT (id) DO NOTHING
    RETURNING id
), token_usages AS (
    INSERT INTO interception_token_usages (
        interception_id, input, output, cache_read, cache_write, raw, created_at
    )
    SELECT t.interception_id, t.input, t.output, t.cache_read, t.cache_write,
        t.raw::jsonb, t.created_at
    FROM unnest(
        $16::uuid[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[],
        $21::text[], $22::timestamptz[]
    ) WITH ORDINALITY AS t (
        interception_id, input, output, cache_read, cache_write, raw, created_at, n
    )
    WHERE t.interception_id IN (SELECT id FROM ins)
    ORDER BY t.n
), prompts AS (
    INSERT INTO interception_prompts (interception_id, prompt, created_at)
    SELECT t.interception_id, t.prompt, t.created_at
    FROM unnest($23::uuid[], $24::text[], $25::timestamptz[])
        WITH ORDINALITY AS t (interception_id, prompt, created_at, n)
    WHERE t.interception_id IN (SELECT id FROM ins)
    ORDER BY t.n
), tool_usages AS (
    INSERT INTO interception_tool_usages (
        interception_id, tool, tool_call_id, input, created_at
    )
    SELECT t.interception_id, t.tool, t.tool_call_id, t.input, t.created_at
    FROM unnest($26::uuid[], $27::text[], $28::text[], $29::text[], $30::timestamptz[])
        WITH ORDINALITY AS t (interception_id, tool, tool_call_id, input, created_at, n)
    WHERE t.interception_id IN (SELECT id FROM ins)
    ORDER BY t.n
), thoughts AS (
    INSERT INTO interception_thoughts (interception_id, content, created_at)
    SELECT t.interception_id, t.content, t.created_at
    FROM unnest($31::uuid[], $32::text[], $33::timestamptz[])
        WITH ORDINALITY AS t (interception_id, content, created_at, n)
    WHERE t.interception_id IN (SELECT id FROM ins)
    ORDER BY t.n
)
SELECT count(*) FROM ins`

// columns holds a batch laid out as the arrays that insertSQL takes. Ids are
// [16]byte rather than uuid.UUID, which pgx would encode through its text
// form at several times the cost.
type columns struct {
	id, initiator                      [][16]byte
	provider, providerType, model      []string
	client                             []string
	session                            []pgtype.Text
	credKind, credHint                 []string
	started                            []time.Time
	ended                              []pgtype.Timestamptz
	status                             []string
	errType, errMsg                    []pgtype.Text
	upstream                           []pgtype.Int4
	usageIC                            [][16]byte
	usageIn, usageOut, usageCR, usageW []int64
	usageRaw                           []pgtype.Text
	usageAt                            []time.Time
	promptIC                           [][16]byte
	prompt                             []string
	promptAt                           []time.Time
	toolIC                             [][16]byte
	tool, toolCallID, toolInput        []string
	toolAt                             []time.Time
	thoughtIC                          [][16]byte
	thought                            []string
	thoughtAt                          []time.Time
}

func (c *columns) add(ic *Interception) {
	c.id = append(c.id, ic.ID)
	c.initiator = append(c.initiator, ic.InitiatorID)
	c.provider = append(c.provider, clean(ic.ProviderName))
	c.providerType = append(c.providerType, clean(ic.ProviderType))
	c.model = append(c.model, clean(ic.Model))
	c.client = append(c.client, clean(ic.Client))
	c.session = append(c.session, optText(ic.SessionID))
	c.credKind = append(c.credKind, string(ic.CredentialKind))
	c.credHint = append(c.credHint, clean(ic.CredentialHint))
	c.started = append(c.started, ic.StartedAt)
	c.ended = append(c.ended, pgtype.Timestamptz{Time: ic.EndedAt, Valid: !ic.EndedAt.IsZero()})
	c.status = append(c.status, string(ic.Status))
	c.errType = append(c.errType, optText(string(ic.ErrorType)))
	c.errMsg = append(c.errMsg, optText(ic.ErrorMessage))
	c.upstream = append(c.upstream, pgtype.Int4{
		Int32: int32(ic.UpstreamStatus), //nolint:gosec // Validate bounds it to 100..599.
		Valid: ic.UpstreamStatus != 0,
	})

	at := ic.recordedAt()
	for _, u := range ic.TokenUsages {
		c.usageIC = append(c.usageIC, ic.ID)
		c.usageIn = append(c.usageIn, u.Input)
		c.usageOut = append(c.usageOut, u.Output)
		c.usageCR = append(c.usageCR, u.CacheRead)
		c.usageW = append(c.usageW, u.CacheWrite)
		c.usageRaw = append(c.usageRaw, rawJSON(u.Raw))
		c.usageAt = append(c.usageAt, orTime(u.CreatedAt, at))
	}
	for _, p := range ic.Prompts {
		c.promptIC = append(c.promptIC, ic.ID)
		c.prompt = append(c.prompt, clean(p))
		c.promptAt = append(c.promptAt, at)
	}
	for _, t := range ic.ToolUsages {
		c.toolIC = append(c.toolIC, ic.ID)
		c.tool = append(c.tool, clean(t.Tool))
		c.toolCallID = append(c.toolCallID, clean(t.ToolCallID))
		c.toolInput = append(c.toolInput, clean(t.Input))
		c.toolAt = append(c.toolAt, orTime(t.CreatedAt, at))
	}
	for _, t := range ic.Thoughts {
		c.thoughtIC = append(c.thoughtIC, ic.ID)
		c.thought = append(c.thought, clean(t))
		c.thoughtAt = append(c.thoughtAt, at)
	}
}

func (c *columns) args() []any {
	return []any{
		c.id, c.initiator, c.provider, c.providerType, c.model, c.client, c.session,
		c.credKind, c.credHint, c.started, c.ended, c.status, c.errType, c.errMsg,
		c.upstream,
		c.usageIC, c.usageIn, c.usageOut, c.usageCR, c.usageW, c.usageRaw, c.usageAt,
		c.promptIC, c.prompt, c.promptAt,
		c.toolIC, c.tool, c.toolCallID, c.toolInput, c.toolAt,
		c.thoughtIC, c.thought, c.thoughtAt,
	}
}

// insert writes batch in one statement and returns how many of its
// interceptions were new. The records in batch have been validated and
// carry distinct ids.
func insert(ctx context.Context, st *store.Store, batch []*Interception) (int64, error) {
	var c columns
	for _, ic := range batch {
		c.add(ic)
	}

	var n int64
	if err := st.Pool.QueryRow(ctx, insertSQL, c.args()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("insert interceptions: %w", err)
	}
	return n, nil
}

// isDataError reports whether err is Postgres refusing the data itself: a
// data exception, a broken constraint or a value past a limit. Writing the
// same records again would fail the same way, unlike a connection that
// dropped or a server that is down.
func isDataError(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || len(pgErr.Code) < 2 {
		return false
	}
	switch pgErr.Code[:2] {
	case "22", "23", "54":
		return true
	}
	return false
}

// clean makes s storable as Postgres text, which holds neither NUL bytes nor
// invalid UTF-8: both become U+FFFD. It returns s itself when it is fine,
// which is nearly always.
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func optText(s string) pgtype.Text {
	return pgtype.Text{String: clean(s), Valid: s != ""}
}

// rawJSON passes valid JSON on as text for the cast to jsonb, and anything
// else as NULL, since one unparsable usage object must not cost the record.
func rawJSON(raw json.RawMessage) pgtype.Text {
	if len(raw) == 0 || !json.Valid(raw) {
		return pgtype.Text{}
	}
	return pgtype.Text{String: string(raw), Valid: true}
}

func orTime(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t
}
