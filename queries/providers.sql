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
