-- Client assertion ids (jti) already used, per client: a replay is refused even after a restart.
CREATE TABLE used_jti (
    client_id TEXT    NOT NULL,
    jti       TEXT    NOT NULL,
    exp       INTEGER NOT NULL, -- unix seconds; rows past it can be purged
    PRIMARY KEY (client_id, jti)
) WITHOUT ROWID;
CREATE INDEX used_jti_exp ON used_jti (exp);

-- Revoked access tokens, by their jti, until they would have expired anyway.
CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY,
    exp INTEGER NOT NULL -- unix seconds
) WITHOUT ROWID;
