-- Per-key rate limits shared by every API process: one row per key holding
-- its GCRA state, the "theoretical arrival time" (tat) of the key's next
-- request. A request is allowed when tat, pushed one emission interval on,
-- stays within the burst's window of now; the update and the decision are one
-- INSERT … ON CONFLICT DO UPDATE … WHERE, folded into authentication's query
-- (store.Authenticate), so a limit costs no extra round trip.
--
-- UNLOGGED: the state is worth nothing after a crash (every key starts with a
-- full burst again), and skipping the WAL spares a disk flush on the hot path
-- of every request. fillfactor leaves room on each page for HOT updates, so
-- updating a row rewrites no index.
CREATE UNLOGGED TABLE rate_limits (
    key_id  uuid PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
    tat     timestamptz NOT NULL
) WITH (fillfactor = 50);
