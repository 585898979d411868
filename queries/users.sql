-- name: CountUsers :one
SELECT count(*) FROM users WHERE NOT deleted;

-- name: InsertUser :one
INSERT INTO users (username, role)
VALUES (@username, @role)
RETURNING *;

-- name: GetUserByUsername :one
SELECT * FROM users WHERE username = @username AND NOT deleted;

-- name: GetUserByID :one
SELECT * FROM users WHERE id = @id;

-- name: ListUsers :many
SELECT * FROM users WHERE NOT deleted ORDER BY username;

-- name: GetOwner :one
SELECT * FROM users
WHERE role = 'owner' AND NOT deleted
ORDER BY created_at, id
LIMIT 1;

-- name: SoftDeleteUser :execrows
UPDATE users SET deleted = true WHERE id = @id AND NOT deleted;

-- name: GetAnyUserByUsername :one
-- The named user, deleted or not. Usernames are never reused, so the name
-- still finds a deleted user's history.
SELECT * FROM users WHERE username = @username;
