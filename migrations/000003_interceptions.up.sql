-- More values arrive by migration: ALTER TYPE ... ADD VALUE.
CREATE TYPE interception_credential_kind AS ENUM ('centralized', 'byok');

-- in_progress is the status of an interception whose start was recorded and
-- whose end was not yet; the other three are final.
CREATE TYPE interception_status AS ENUM ('in_progress', 'completed', 'failed', 'canceled');

CREATE TYPE interception_error_type AS ENUM (
    'bad_request', 'unauthorized', 'rate_limited', 'overloaded',
    'server_error', 'timeout', 'canceled', 'unknown'
);

-- interceptions holds one row per bridged request. provider_name is the name
-- the provider had at the time, not a reference: providers are renamed and
-- deleted while their history stays. model is the model the client asked
-- for. credential_hint is a masked hint, never a credential.
CREATE TABLE interceptions (
    id              uuid                         PRIMARY KEY,
    initiator_id    uuid                         NOT NULL REFERENCES users (id),
    provider_name   text                         NOT NULL,
    provider_type   text                         NOT NULL,
    model           text                         NOT NULL,
    client          text                         NOT NULL,
    session_id      text,
    credential_kind interception_credential_kind NOT NULL,
    credential_hint text                         NOT NULL,
    started_at      timestamptz                  NOT NULL,
    ended_at        timestamptz,
    status          interception_status          NOT NULL,
    error_type      interception_error_type,
    error_message   text,
    upstream_status integer                      CHECK (upstream_status BETWEEN 100 AND 599),
    CHECK ((status = 'in_progress') = (ended_at IS NULL))
);

-- Listing is newest first with a keyset cursor on (started_at, id), alone or
-- filtered by one of initiator, provider, model or client.
CREATE INDEX interceptions_started_idx ON interceptions (started_at DESC, id DESC);
CREATE INDEX interceptions_initiator_idx
    ON interceptions (initiator_id, started_at DESC, id DESC);
CREATE INDEX interceptions_provider_idx
    ON interceptions (provider_name, started_at DESC, id DESC);
CREATE INDEX interceptions_model_idx ON interceptions (model, started_at DESC, id DESC);
CREATE INDEX interceptions_client_idx ON interceptions (client, started_at DESC, id DESC);

-- The records of an interception are read back in (created_at, id) order;
-- the identity id keeps the order in which rows of one instant were written.

-- interception_token_usages holds the usage of each upstream response. input
-- counts the tokens neither read from nor written to the prompt cache. raw is
-- the provider's usage object.
CREATE TABLE interception_token_usages (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    interception_id uuid        NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    input           bigint      NOT NULL CHECK (input >= 0),
    output          bigint      NOT NULL CHECK (output >= 0),
    cache_read      bigint      NOT NULL CHECK (cache_read >= 0),
    cache_write     bigint      NOT NULL CHECK (cache_write >= 0),
    raw             jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX interception_token_usages_interception_idx
    ON interception_token_usages (interception_id, created_at, id);

-- interception_prompts holds the text of the user's last message.
CREATE TABLE interception_prompts (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    interception_id uuid        NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    prompt          text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX interception_prompts_interception_idx
    ON interception_prompts (interception_id, created_at, id);

-- interception_tool_usages holds the tool calls the model made. input is the
-- arguments as the JSON text the model produced, kept as text so that it
-- reads back byte for byte, even when the model produced invalid JSON.
CREATE TABLE interception_tool_usages (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    interception_id uuid        NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    tool            text        NOT NULL,
    tool_call_id    text        NOT NULL,
    input           text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX interception_tool_usages_interception_idx
    ON interception_tool_usages (interception_id, created_at, id);

-- interception_thoughts holds the model's thinking or reasoning summary text.
CREATE TABLE interception_thoughts (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    interception_id uuid        NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    content         text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX interception_thoughts_interception_idx
    ON interception_thoughts (interception_id, created_at, id);
