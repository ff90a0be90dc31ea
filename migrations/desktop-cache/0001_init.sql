-- The desktop's offline cache: one SQLite file in the data folder. It keeps the last answer of every request the
-- views use and the alarm actions waiting to be sent. Every row belongs to one (server, tenant, username): two
-- users, tenants or servers never see each other's data or send each other's actions.
-- Instants are milliseconds since the Unix epoch (UTC).

-- The last answer of each request: `kind` is 'wells', 'kpis' or 'open_alarms'; `body` is its JSON.
-- `fetched_at` is when the body was downloaded, `checked_at` when the server last confirmed it (a 200 or a 304).
CREATE TABLE responses (
    server     TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    username   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    etag       TEXT,
    fetched_at INTEGER NOT NULL,
    checked_at INTEGER NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (server, tenant, username, kind)
);

-- The last user who signed in to each server: whose cached data a start without network shows (read-only).
-- No password and no token is ever stored.
CREATE TABLE last_sessions (
    server       TEXT PRIMARY KEY NOT NULL,
    tenant       TEXT NOT NULL,
    username     TEXT NOT NULL,
    role         TEXT NOT NULL,
    signed_in_at INTEGER NOT NULL
);

-- Alarm actions (acknowledge, acknowledge all, shelve) in the order they were taken, until the server answered.
-- `idempotency_key` (a UUID v4 chosen when the action was queued) goes with every attempt; `action` is the JSON of
-- the action; `label` names the alarm for messages ("Midland 2 Well down"); `deferred` is 1 once the action could
-- not be sent at once (it was taken offline).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    server          TEXT NOT NULL,
    tenant          TEXT NOT NULL,
    username        TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    action          TEXT NOT NULL,
    label           TEXT NOT NULL,
    queued_at       INTEGER NOT NULL,
    deferred        INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX outbox_owner ON outbox (server, tenant, username, id);
