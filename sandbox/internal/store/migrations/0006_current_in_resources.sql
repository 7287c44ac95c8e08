-- The current version of each resource lives in its resources row (its method and JSON);
-- versions keeps the versions before it. A read, a search page and an import touch one table
-- instead of two: a search page did one more B-tree lookup per resource, and seeding wrote every
-- resource's JSON into a second table.
ALTER TABLE resources ADD COLUMN method TEXT NOT NULL DEFAULT 'POST'; -- POST, PUT or DELETE
ALTER TABLE resources ADD COLUMN json BLOB;                           -- NULL for a deletion
UPDATE resources SET
    method = COALESCE((SELECT v.method FROM versions v WHERE v.rid = resources.rid AND v.version = resources.version), 'POST'),
    json   = (SELECT v.json FROM versions v WHERE v.rid = resources.rid AND v.version = resources.version);
DELETE FROM versions WHERE (rid, version) IN (SELECT rid, version FROM resources);
