-- name: InsertAPIToken :one
INSERT INTO api_tokens (id, user_id, hashed_secret, expires_at)
VALUES (@id, @user_id, @hashed_secret, @expires_at)
RETURNING *;

-- name: GetAPITokenWithUser :one
SELECT
    t.id, t.user_id, t.hashed_secret, t.expires_at, t.revoked,
    u.username, u.role, u.deleted AS user_deleted
FROM api_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.id = @id;

-- name: TouchAPIToken :exec
UPDATE api_tokens SET last_used_at = now() WHERE id = @id;

-- name: RevokeAPIToken :execrows
UPDATE api_tokens SET revoked = true WHERE id = @id AND NOT revoked;
