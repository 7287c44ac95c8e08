-- Portal accounts of a hosted sandbox (--accounts): an email and a password, stored only as a
-- password-KDF hash (argon2id, PHC string format), for a developer of the developers table.
CREATE TABLE portal_accounts (
    developer_id  TEXT    PRIMARY KEY REFERENCES developers (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL UNIQUE,  -- lower-cased
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL          -- unix milliseconds
);
