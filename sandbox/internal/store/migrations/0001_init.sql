-- Resources and their versions. rid is the internal row id: the keyset for paging.
CREATE TABLE resources (
    rid          INTEGER PRIMARY KEY,
    type         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    last_updated INTEGER NOT NULL, -- unix milliseconds of the current version
    deleted      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (type, id)
);
CREATE INDEX resources_type_rid ON resources (type, deleted, rid);
CREATE INDEX resources_type_updated ON resources (type, last_updated, rid);

CREATE TABLE versions (
    rid          INTEGER NOT NULL REFERENCES resources (rid),
    version      INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    method       TEXT    NOT NULL, -- POST, PUT or DELETE
    json         BLOB,             -- NULL for a deletion
    PRIMARY KEY (rid, version)
) WITHOUT ROWID;

-- Search indexes, one row per value of a search parameter of the current version.
-- param is "<ResourceType>.<name>", e.g. "Observation.code".
CREATE TABLE idx_token (
    rid    INTEGER NOT NULL,
    param  TEXT    NOT NULL,
    system TEXT    NOT NULL,
    code   TEXT    NOT NULL
);
CREATE INDEX idx_token_lookup ON idx_token (param, code, system, rid);
CREATE INDEX idx_token_rid ON idx_token (rid);

CREATE TABLE idx_string (
    rid   INTEGER NOT NULL,
    param TEXT    NOT NULL,
    text  TEXT    NOT NULL, -- normalised: lower case, accents removed
    exact TEXT    NOT NULL
);
CREATE INDEX idx_string_lookup ON idx_string (param, text, rid);
CREATE INDEX idx_string_rid ON idx_string (rid);

CREATE TABLE idx_date (
    rid   INTEGER NOT NULL,
    param TEXT    NOT NULL,
    low   INTEGER NOT NULL, -- unix milliseconds, inclusive
    high  INTEGER NOT NULL  -- unix milliseconds, exclusive
);
CREATE INDEX idx_date_lookup ON idx_date (param, low, high, rid);
CREATE INDEX idx_date_rid ON idx_date (rid);

CREATE TABLE idx_ref (
    rid      INTEGER NOT NULL,
    param    TEXT    NOT NULL,
    ref_type TEXT    NOT NULL,
    ref_id   TEXT    NOT NULL
);
CREATE INDEX idx_ref_lookup ON idx_ref (ref_id, ref_type, param, rid);
CREATE INDEX idx_ref_rid ON idx_ref (rid);
