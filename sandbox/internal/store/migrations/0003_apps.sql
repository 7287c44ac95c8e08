-- Developer accounts and the apps they register. Secrets and API keys are stored only as
-- HMAC-SHA256 under the sandbox's key, never in plain text.
CREATE TABLE developers (
    id           TEXT    PRIMARY KEY,
    email        TEXT    UNIQUE,          -- NULL when unknown
    api_key_hash BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL         -- unix milliseconds
);

CREATE TABLE apps (
    client_id    TEXT    PRIMARY KEY,
    developer_id TEXT    NOT NULL REFERENCES developers (id),
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    auth_method  TEXT    NOT NULL CHECK (auth_method IN ('client_secret', 'private_key_jwt')),
    scopes       TEXT    NOT NULL DEFAULT '[]', -- JSON array of SMART system scopes
    jwks         BLOB,                          -- the inline JWKS as registered, or NULL
    jwks_url     TEXT,
    secret_hash  BLOB,                          -- client_secret apps only
    secret_hint  TEXT,                          -- last four characters of the secret
    created_at   INTEGER NOT NULL,              -- unix milliseconds
    updated_at   INTEGER NOT NULL
);
CREATE INDEX apps_developer ON apps (developer_id);
