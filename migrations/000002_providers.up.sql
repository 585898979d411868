-- More provider types arrive by migration: ALTER TYPE ai_provider_type ADD VALUE.
CREATE TYPE ai_provider_type AS ENUM ('openai', 'anthropic');

-- ai_providers holds every provider the gateway serves. A deleted row stays
-- (soft delete) and keeps its name, so that the env seed never recreates a
-- provider an operator removed.
CREATE TABLE ai_providers (
    id         uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text             NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    type       ai_provider_type NOT NULL,
    enabled    boolean          NOT NULL DEFAULT true,
    deleted    boolean          NOT NULL DEFAULT false,
    base_url   text             NOT NULL CHECK (base_url <> ''),
    -- settings holds the Bedrock subset under "bedrock": region, base_url,
    -- model, small_fast_model and the ordered credentials, each an
    -- access_key and secret pair.
    settings   jsonb            NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    created_at timestamptz      NOT NULL DEFAULT now(),
    updated_at timestamptz      NOT NULL DEFAULT now(),
    -- updated_by is the user who last changed the row; NULL is the system
    -- actor (the env seed).
    updated_by uuid             REFERENCES users (id)
);

-- ai_provider_keys holds the API keys of a provider. position is the
-- configured order, which is the failover order. The limit of five keys per
-- provider is enforced by the code that writes keys.
CREATE TABLE ai_provider_keys (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id uuid        NOT NULL REFERENCES ai_providers (id) ON DELETE CASCADE,
    position    integer     NOT NULL CHECK (position >= 0),
    key         text        NOT NULL CHECK (key <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider_id, position)
);

-- audit_logs records every change to configuration. actor_id NULL is the
-- system actor. diff never holds a secret, at most a masked hint.
CREATE TABLE audit_logs (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    time          timestamptz NOT NULL DEFAULT now(),
    actor_id      uuid        REFERENCES users (id),
    action        text        NOT NULL CHECK (action <> ''),
    resource_type text        NOT NULL CHECK (resource_type <> ''),
    resource_id   text        NOT NULL,
    diff          jsonb       NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_logs_time_idx ON audit_logs (time);
CREATE INDEX audit_logs_resource_idx ON audit_logs (resource_type, resource_id, time);
