-- name: ListInterceptions :many
-- ListInterceptions pages through interceptions newest first, ordered by
-- started_at then id, both descending. Each filter applies when it is not
-- NULL: started_after is inclusive and started_before exclusive. The keyset
-- cursor is the (started_at, id) of the last row of the previous page; give
-- both or neither. prompt is the latest prompt, and the token columns are sums
-- over the interception's token usages.
SELECT
    i.*,
    u.username AS initiator_username,
    p.prompt,
    t.input_tokens,
    t.output_tokens,
    t.cache_read_tokens,
    t.cache_write_tokens
FROM interceptions i
JOIN users u ON u.id = i.initiator_id
CROSS JOIN LATERAL (
    SELECT
        COALESCE(sum(tu.input), 0)::bigint AS input_tokens,
        COALESCE(sum(tu.output), 0)::bigint AS output_tokens,
        COALESCE(sum(tu.cache_read), 0)::bigint AS cache_read_tokens,
        COALESCE(sum(tu.cache_write), 0)::bigint AS cache_write_tokens
    FROM interception_token_usages tu
    WHERE tu.interception_id = i.id
) t
LEFT JOIN interception_prompts p ON p.id = (
    SELECT ip.id
    FROM interception_prompts ip
    WHERE ip.interception_id = i.id
    ORDER BY ip.created_at DESC, ip.id DESC
    LIMIT 1
)
WHERE (sqlc.narg(initiator_id)::uuid IS NULL OR i.initiator_id = sqlc.narg(initiator_id))
    AND (sqlc.narg(provider_name)::text IS NULL OR i.provider_name = sqlc.narg(provider_name))
    AND (sqlc.narg(model)::text IS NULL OR i.model = sqlc.narg(model))
    AND (sqlc.narg(client)::text IS NULL OR i.client = sqlc.narg(client))
    AND (sqlc.narg(started_after)::timestamptz IS NULL
        OR i.started_at >= sqlc.narg(started_after))
    AND (sqlc.narg(started_before)::timestamptz IS NULL
        OR i.started_at < sqlc.narg(started_before))
    AND (NOT @only_ended::boolean OR i.ended_at IS NOT NULL)
    AND (sqlc.narg(cursor_started_at)::timestamptz IS NULL
        OR (i.started_at, i.id) < (sqlc.narg(cursor_started_at), sqlc.narg(cursor_id)::uuid))
ORDER BY i.started_at DESC, i.id DESC
LIMIT @page_size;

-- name: GetInterception :one
-- GetInterception reads one interception with its initiator's username and
-- the sums of its token usages.
SELECT
    i.*,
    u.username AS initiator_username,
    t.input_tokens,
    t.output_tokens,
    t.cache_read_tokens,
    t.cache_write_tokens
FROM interceptions i
JOIN users u ON u.id = i.initiator_id
CROSS JOIN LATERAL (
    SELECT
        COALESCE(sum(tu.input), 0)::bigint AS input_tokens,
        COALESCE(sum(tu.output), 0)::bigint AS output_tokens,
        COALESCE(sum(tu.cache_read), 0)::bigint AS cache_read_tokens,
        COALESCE(sum(tu.cache_write), 0)::bigint AS cache_write_tokens
    FROM interception_token_usages tu
    WHERE tu.interception_id = i.id
) t
WHERE i.id = @id;

-- name: ListInterceptionTokenUsages :many
SELECT * FROM interception_token_usages
WHERE interception_id = @interception_id
ORDER BY created_at, id;

-- name: ListInterceptionPrompts :many
SELECT * FROM interception_prompts
WHERE interception_id = @interception_id
ORDER BY created_at, id;

-- name: ListInterceptionToolUsages :many
SELECT * FROM interception_tool_usages
WHERE interception_id = @interception_id
ORDER BY created_at, id;

-- name: ListInterceptionToolUsagesByIDs :many
-- ListInterceptionToolUsagesByIDs reads the tool usages of a page of
-- interceptions in one round trip, grouped by interception.
SELECT * FROM interception_tool_usages
WHERE interception_id = ANY(@interception_ids::uuid[])
ORDER BY interception_id, created_at, id;

-- name: ListInterceptionThoughts :many
SELECT * FROM interception_thoughts
WHERE interception_id = @interception_id
ORDER BY created_at, id;

-- name: InsertInterceptionStart :exec
INSERT INTO interceptions (
    id, initiator_id, provider_name, provider_type, model, client, session_id,
    credential_kind, credential_hint, started_at, status
) VALUES (
    @id, @initiator_id, @provider_name, @provider_type, @model, @client,
    sqlc.narg(session_id), @credential_kind, @credential_hint, @started_at, 'in_progress'
);

-- name: EndInterception :execrows
UPDATE interceptions
SET status = @status,
    error_type = sqlc.narg(error_type),
    error_message = sqlc.narg(error_message),
    upstream_status = sqlc.narg(upstream_status),
    ended_at = @ended_at
WHERE id = @id AND status = 'in_progress';

-- name: GetInterceptionInitiator :one
SELECT initiator_id, status FROM interceptions WHERE id = @id;

-- name: InsertTokenUsage :exec
INSERT INTO interception_token_usages (
    interception_id, input, output, cache_read, cache_write, raw, created_at
) VALUES (@interception_id, @input, @output, @cache_read, @cache_write, @raw, @created_at);

-- name: InsertPrompt :exec
INSERT INTO interception_prompts (interception_id, prompt, created_at)
VALUES (@interception_id, @prompt, @created_at);

-- name: InsertToolUsage :exec
INSERT INTO interception_tool_usages (interception_id, tool, tool_call_id, input, created_at)
VALUES (@interception_id, @tool, @tool_call_id, @input, @created_at);

-- name: InsertThought :exec
INSERT INTO interception_thoughts (interception_id, content, created_at)
VALUES (@interception_id, @content, @created_at);

-- name: GetInterceptionStartedAt :one
-- The start time of an interception, the first half of a listing cursor.
SELECT started_at FROM interceptions WHERE id = @id;
