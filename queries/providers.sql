-- name: GetProviderByName :one
-- The row of the named provider, deleted or not, with the name of the user
-- who last changed it (NULL for the system actor).
SELECT sqlc.embed(p), u.username AS updated_by_username
FROM ai_providers p
LEFT JOIN users u ON u.id = p.updated_by
WHERE p.name = @name;

-- name: InsertProvider :one
INSERT INTO ai_providers (name, type, base_url, settings, updated_by)
VALUES (@name, @type, @base_url, @settings, @updated_by)
RETURNING *;

-- name: InsertProviderKey :exec
INSERT INTO ai_provider_keys (provider_id, position, key)
VALUES (@provider_id, @position, @key);

-- name: ListProviderKeys :many
SELECT key FROM ai_provider_keys
WHERE provider_id = @provider_id
ORDER BY position;

-- name: ListProvidersWithKeys :many
-- Every provider that is not deleted, enabled or not, with its keys in
-- position order. One statement, so that providers and keys come from one
-- snapshot.
SELECT
    sqlc.embed(p),
    coalesce(
        (SELECT array_agg(k.key ORDER BY k.position)
         FROM ai_provider_keys k
         WHERE k.provider_id = p.id),
        '{}'
    )::text[] AS keys
FROM ai_providers p
WHERE NOT p.deleted
ORDER BY p.name;

-- name: NotifyProvidersChanged :exec
SELECT pg_notify('ai_providers_changed', '');

-- name: InsertAuditLog :exec
INSERT INTO audit_logs (actor_id, action, resource_type, resource_id, diff)
VALUES (@actor_id, @action, @resource_type, @resource_id, @diff);

-- name: ListProviders :many
-- Every provider that is not deleted, with the name of who last changed it
-- and the size of its key pool.
SELECT
    sqlc.embed(p),
    u.username AS updated_by_username,
    (SELECT count(*) FROM ai_provider_keys k WHERE k.provider_id = p.id)::integer AS key_count
FROM ai_providers p
LEFT JOIN users u ON u.id = p.updated_by
WHERE NOT p.deleted
ORDER BY p.name;

-- name: LockProvider :one
-- The live provider named name, locked until the transaction ends, so that
-- concurrent key changes of one provider take turns.
SELECT * FROM ai_providers
WHERE name = @name AND NOT deleted
FOR UPDATE;

-- name: UpdateProvider :one
UPDATE ai_providers
SET base_url = coalesce(sqlc.narg(base_url), base_url),
    enabled = coalesce(sqlc.narg(enabled), enabled),
    updated_at = now(),
    updated_by = @updated_by
WHERE id = @id
RETURNING *;

-- name: TouchProvider :exec
UPDATE ai_providers SET updated_at = now(), updated_by = @updated_by WHERE id = @id;

-- name: SoftDeleteProvider :exec
UPDATE ai_providers
SET deleted = true, enabled = false, updated_at = now(), updated_by = @updated_by
WHERE id = @id;

-- name: ListProviderKeyRows :many
SELECT * FROM ai_provider_keys
WHERE provider_id = @provider_id
ORDER BY position;

-- name: InsertProviderKeyRow :one
-- Appends a key after the provider's last one.
INSERT INTO ai_provider_keys (provider_id, position, key)
VALUES (
    @provider_id,
    (SELECT coalesce(max(position) + 1, 0) FROM ai_provider_keys WHERE provider_id = @provider_id),
    @key
)
RETURNING *;

-- name: DeleteProviderKey :one
DELETE FROM ai_provider_keys
WHERE id = @id AND provider_id = @provider_id
RETURNING *;
