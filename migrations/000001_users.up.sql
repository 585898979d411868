CREATE TYPE user_role AS ENUM ('owner', 'auditor', 'member', 'service_account');

CREATE TABLE users (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    username   text        NOT NULL UNIQUE CHECK (username ~ '^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$'),
    role       user_role   NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted    boolean     NOT NULL DEFAULT false
);

CREATE TABLE api_tokens (
    id            text        PRIMARY KEY CHECK (id ~ '^[a-z0-9]{10}$'),
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hashed_secret bytea       NOT NULL CHECK (length(hashed_secret) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    expires_at    timestamptz,
    revoked       boolean     NOT NULL DEFAULT false
);

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);
