-- name: InsertUserSecret :one
INSERT INTO user_secrets (user_id, name, value)
VALUES (@user_id, @name, @value)
RETURNING *;

-- name: UpdateUserSecret :one
UPDATE user_secrets SET value = @value, updated_at = now()
WHERE user_id = @user_id AND name = @name
RETURNING *;

-- name: DeleteUserSecret :execrows
DELETE FROM user_secrets WHERE user_id = @user_id AND name = @name;

-- name: ListUserSecrets :many
SELECT id, user_id, name, created_at, updated_at FROM user_secrets
WHERE user_id = @user_id
ORDER BY name;

-- name: GetUserSecret :one
SELECT * FROM user_secrets WHERE user_id = @user_id AND name = @name;

-- name: ListDBCryptKeys :many
SELECT * FROM dbcrypt_keys ORDER BY created_at, digest;

-- name: UpsertDBCryptKey :exec
-- Records a configured key: the sealing key active, the others revoked
-- (they only open values sealed before).
INSERT INTO dbcrypt_keys (digest, active, revoked_at)
VALUES (@digest, @active, CASE WHEN @active::boolean THEN NULL ELSE now() END)
ON CONFLICT (digest) DO UPDATE
SET active = excluded.active,
    revoked_at = CASE WHEN excluded.active THEN NULL
                      ELSE coalesce(dbcrypt_keys.revoked_at, now()) END;

-- name: RevokeOtherDBCryptKeys :exec
UPDATE dbcrypt_keys SET active = false, revoked_at = coalesce(revoked_at, now())
WHERE digest <> @digest AND active;

-- name: SealedDigestsInUse :many
-- The digests of the keys that sealed the values in the database.
SELECT DISTINCT split_part(v, ':', 3)::text AS digest
FROM (
    SELECT key AS v FROM ai_provider_keys
    UNION ALL SELECT value FROM user_secrets
    UNION ALL SELECT c->>'secret' FROM ai_providers p,
        jsonb_array_elements(coalesce(p.settings->'bedrock'->'credentials', '[]'::jsonb)) c
) s
WHERE v LIKE 'dbcrypt:v1:%';

-- name: ListProviderKeyValues :many
-- Raw key values after a cursor, for rotation.
SELECT id, key FROM ai_provider_keys WHERE id > @after ORDER BY id LIMIT @page_size;

-- name: SetProviderKeyValue :execrows
-- Replaces a raw key value if it is still old.
UPDATE ai_provider_keys SET key = @new WHERE id = @id AND key = @old;

-- name: DeleteProviderKeyRow :execrows
DELETE FROM ai_provider_keys WHERE id = @id AND key = @old;

-- name: ListUserSecretValues :many
SELECT id, value FROM user_secrets WHERE id > @after ORDER BY id LIMIT @page_size;

-- name: SetUserSecretValue :execrows
UPDATE user_secrets SET value = @new WHERE id = @id AND value = @old;

-- name: DeleteUserSecretRow :execrows
DELETE FROM user_secrets WHERE id = @id AND value = @old;

-- name: ListProviderSettings :many
SELECT id, settings FROM ai_providers WHERE id > @after ORDER BY id LIMIT @page_size;

-- name: SetProviderSettings :execrows
UPDATE ai_providers SET settings = @new WHERE id = @id AND settings = @old;
