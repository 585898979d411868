-- name: InsertAPIToken :one
INSERT INTO api_tokens (id, user_id, hashed_secret, expires_at)
VALUES (@id, @user_id, @hashed_secret, @expires_at)
RETURNING *;

-- name: GetAPITokenWithUser :one
SELECT
    t.id, t.user_id, t.hashed_secret, t.expires_at, t.revoked, t.last_used_at,
    u.username, u.role, u.deleted AS user_deleted
FROM api_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.id = @id;

-- name: TouchAPIToken :exec
UPDATE api_tokens SET last_used_at = now() WHERE id = @id;

-- name: RevokeAPIToken :execrows
UPDATE api_tokens SET revoked = true WHERE id = @id AND NOT revoked;

-- name: ListAPITokens :many
-- Tokens newest first, of one user or, with a NULL user_id, of everyone.
SELECT
    t.id, t.user_id, t.created_at, t.last_used_at, t.expires_at, t.revoked,
    u.username
FROM api_tokens t
JOIN users u ON u.id = t.user_id
WHERE sqlc.narg(user_id)::uuid IS NULL OR t.user_id = sqlc.narg(user_id)
ORDER BY t.created_at DESC, t.id;
