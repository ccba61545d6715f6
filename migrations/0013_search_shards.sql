-- Geographic search shards (docs/search-shards.md). Meilisearch rewrites an
-- index's whole geo R-tree on every batch, so offers live in one index per
-- geographic cell; this is the map of those cells, the queue of offer changes
-- the index job takes in batches, and where each offer's document was written.

-- The shard map: one row per Meilisearch index. Geo cells start as
-- départements (the rows are written by the application from its embedded
-- French places on first use) and split into rectangles when they pass a size
-- bound; `passerelle reindex` rewrites the whole map in one transaction.
CREATE TABLE search_shards (
    id          text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('geo', 'remote', 'national')),
    department  text NOT NULL DEFAULT '',
    min_lat     double precision NOT NULL DEFAULT 0,
    min_lon     double precision NOT NULL DEFAULT 0,
    max_lat     double precision NOT NULL DEFAULT 0,
    max_lon     double precision NOT NULL DEFAULT 0,
    index_name  text NOT NULL,
    -- The Meilisearch server holding the index: '' is MEILI_URL, other names
    -- come from MEILI_SERVERS.
    server      text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (server, index_name)
);

-- Offers whose search documents must follow a change, written in the same
-- transaction as the change (the outbox of the index job). seq changes with
-- every new change, so the job deletes a row only if no change came after
-- the state it indexed; queued_at keeps the oldest change not yet indexed.
CREATE SEQUENCE search_pending_seq;
CREATE TABLE search_pending (
    offer_id   uuid PRIMARY KEY,
    seq        bigint NOT NULL DEFAULT nextval('search_pending_seq'),
    queued_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_pending_seq_idx ON search_pending (seq);

-- The shards an offer's document may be in: written before the document, so
-- that a job crashing between the two still knows where to delete it from;
-- more than one row only while an offer moves.
CREATE TABLE search_placements (
    offer_id  uuid NOT NULL,
    shard_id  text NOT NULL,
    PRIMARY KEY (offer_id, shard_id)
);
CREATE INDEX search_placements_shard ON search_placements (shard_id);

-- Index jobs queued before this migration become pending changes, and every
-- searchable offer is queued once so that the shards fill without a reindex
-- (`passerelle reindex` does it faster).
INSERT INTO search_pending (offer_id)
SELECT id FROM offers WHERE status IN ('draft', 'published', 'paused')
UNION
SELECT (args->>'offer_id')::uuid FROM river_job WHERE kind = 'index_offer' AND finalized_at IS NULL
ON CONFLICT DO NOTHING;
DELETE FROM river_job WHERE kind = 'index_offer' AND finalized_at IS NULL;
