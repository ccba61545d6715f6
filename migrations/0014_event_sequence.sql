-- Each event carries its subject's sequence number: 1 for the first event
-- about a proposal, a placement, an offer or a follow-up, then one more with
-- each event about it. Webhook receivers order by it what arrives out of
-- order or within the same second (placement.started, then placement.ended).
-- store.queueEvents assigns it under a transaction-level advisory lock on the
-- subject, so concurrent writers about one subject take turns; the unique
-- index is the guard, and the lookup of the subject's last number.
ALTER TABLE events ADD COLUMN subject_sequence bigint;
UPDATE events e SET subject_sequence = s.n
FROM (SELECT id, row_number() OVER (PARTITION BY subject_type, subject_id ORDER BY occurred_at, id) AS n FROM events) s
WHERE s.id = e.id;
ALTER TABLE events ALTER COLUMN subject_sequence SET NOT NULL;
DROP INDEX events_subject;
CREATE UNIQUE INDEX events_subject ON events (subject_type, subject_id, subject_sequence);
