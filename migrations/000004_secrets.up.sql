-- dbcrypt_keys records every encryption key a server has used, by digest:
-- the active one seals new values; revoked ones may only open old values
-- until a rotation has resealed them.
CREATE TABLE dbcrypt_keys (
    digest     text        PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{16}$'),
    active     boolean     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- user_secrets holds values a user keeps in the gateway, such as a provider
-- key for BYOK requests under the name "byok:<provider name>". value is
-- sealed when an encryption key is configured.
CREATE TABLE user_secrets (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (name ~ '^[a-zA-Z0-9][a-zA-Z0-9._:-]{0,127}$'),
    value      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, name)
);

-- Users are soft-deleted, so a foreign-key cascade never fires: the trigger
-- removes a deleted user's secrets and tokens in the same transaction.
CREATE FUNCTION delete_user_credentials() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM user_secrets WHERE user_id = NEW.id;
    DELETE FROM api_tokens WHERE user_id = NEW.id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_soft_delete
    AFTER UPDATE OF deleted ON users
    FOR EACH ROW
    WHEN (NEW.deleted AND NOT OLD.deleted)
    EXECUTE FUNCTION delete_user_credentials();
