-- name: ListAuditLogs :many
-- Audit entries newest first. before_id continues after that entry.
SELECT a.*, u.username AS actor_username
FROM audit_logs a
LEFT JOIN users u ON u.id = a.actor_id
WHERE (sqlc.narg(resource_type)::text IS NULL OR a.resource_type = sqlc.narg(resource_type))
    AND (sqlc.narg(before_id)::uuid IS NULL OR (a.time, a.id) < (
        SELECT b.time, b.id FROM audit_logs b WHERE b.id = sqlc.narg(before_id)
    ))
ORDER BY a.time DESC, a.id DESC
LIMIT @page_size;

-- name: GetAuditLog :one
SELECT * FROM audit_logs WHERE id = @id;
