package store_test

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/store"
)

// TestRegisterCoversTheSchema reads PostgreSQL's catalogue: every table is
// in the register, every column of a table that holds trainee data is, and
// every table that names a trainee (a trainee_id column or a foreign key to
// trainees) is declared as holding trainee data. A table or column added
// without deciding its export, erasure and retention fails here.
func TestRegisterCoversTheSchema(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rows, err := b.pool.Query(b.ctx, `SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE 'river\_%'
		ORDER BY 1, 2`)
	require.NoError(t, err)
	schema := map[string][]string{}
	for rows.Next() {
		var table, column string
		require.NoError(t, rows.Scan(&table, &column))
		schema[table] = append(schema[table], column)
	}
	require.NoError(t, rows.Err())
	require.Contains(t, schema, "trainees")

	var namesTrainee []string
	rows, err = b.pool.Query(b.ctx, `SELECT DISTINCT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'trainee_id'
		UNION SELECT DISTINCT conrelid::regclass::text FROM pg_constraint WHERE confrelid = 'trainees'::regclass`)
	require.NoError(t, err)
	for rows.Next() {
		var table string
		require.NoError(t, rows.Scan(&table))
		namesTrainee = append(namesTrainee, table)
	}
	require.NoError(t, rows.Err())

	register := map[string]store.DataTable{}
	for _, dt := range store.PersonalData {
		require.NotContains(t, register, dt.Name, "%s is in the register twice", dt.Name)
		register[dt.Name] = dt
	}
	rules := map[string]bool{}
	for _, r := range store.RetentionRules {
		rules[r.Name] = true
	}
	for table, columns := range schema {
		dt, ok := register[table]
		require.True(t, ok, "table %s is not in the register (store/privacy.go): say whether it holds trainee data", table)
		if slices.Contains(namesTrainee, table) {
			require.True(t, dt.TraineeData, "table %s names a trainee but is declared without trainee data", table)
		}
		if !dt.TraineeData {
			require.NotEmpty(t, dt.Why, "table %s: say why it holds no trainee data", table)
			continue
		}
		for _, c := range columns {
			dc, ok := dt.Columns[c]
			require.True(t, ok, "column %s.%s is not in the register: decide its export, erasure and retention", table, c)
			require.Contains(t, []string{store.EraseBlank, store.EraseDelete, store.EraseKeep, store.EraseScrub, store.EraseSecret}, dc.Erasure, "%s.%s", table, c)
			require.Contains(t, []string{store.ExportRow, store.ExportNot}, dc.Export, "%s.%s", table, c)
			require.True(t, dc.Retention == "" && table == "erasures" || rules[dc.Retention], "%s.%s: unknown retention rule %q", table, c, dc.Retention)
		}
		for c := range dt.Columns {
			require.Contains(t, columns, c, "the register names %s.%s, which the schema does not have", table, c)
		}
	}
	for name := range register {
		require.Contains(t, schema, name, "the register names table %s, which the schema does not have", name)
	}
}

// dumpAll is every row of every table of the test's database as text, the
// way COPY writes it (what a dump holds).
func dumpAll(t *testing.T, b *bundle) string {
	t.Helper()
	rows, err := b.pool.Query(b.ctx, `SELECT quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	conn, err := b.pool.Acquire(b.ctx)
	require.NoError(t, err)
	defer conn.Release()
	var out strings.Builder
	for _, table := range tables {
		out.WriteString("-- " + table + "\n")
		_, err := conn.Conn().PgConn().CopyTo(b.ctx, &out, "COPY "+table+" TO STDOUT")
		require.NoError(t, err)
	}
	return out.String()
}

// TestErasureLeavesNoTraceAndKeepsTheFigures erases a trainee with a
// sentinel written in every free-text field: afterwards neither the sentinel
// nor their name, email or phone is anywhere in the database, the trainee
// answers 404, and the programme's figures are the same but for the live
// suggestions, which erasure deletes.
func TestErasureLeavesNoTraceAndKeepsTheFigures(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const sentinel = "Zorblax-7Q"
	ctx := b.ctx
	in := b.traineeInput()
	in.Identity = store.TraineeIdentity{FirstName: "Prénom" + sentinel, LastName: "Nom" + sentinel,
		BirthDate: date("2004-02-29"), Email: "zorblax.7q@exemple.invalid", Phone: "06 99 88 77 66"}
	in.Profile.Skills = []store.TraineeSkill{{Name: "Pétrissage " + sentinel, Evidence: store.EvidenceDeclared}}
	in.Profile.Languages = []string{"fr-" + sentinel}
	in.ExitReason = "motif " + sentinel
	tr, err := b.store.CreateTrainee(ctx, passerelle.System, b.org, in)
	require.NoError(t, err)
	id := tr.ID
	for _, scope := range []string{store.ConsentMatching, store.ConsentRQTH} {
		_, err = b.store.RecordConsent(ctx, passerelle.System, id, store.ConsentInput{Scope: scope, Note: "note " + sentinel})
		require.NoError(t, err)
	}
	in.RQTH = ptr(true)
	_, err = b.store.UpdateTrainee(ctx, passerelle.System, id, nil, in)
	require.NoError(t, err)

	// A placement with its free text, a follow-up note, a suggestion, and a
	// proposal history with reasons.
	p, err := b.store.CreateProposal(ctx, passerelle.System, store.ProposalInput{TraineeID: id, OfferID: b.offer})
	require.NoError(t, err)
	for _, to := range []string{store.ProposalProposed, store.ProposalAccepted, store.ProposalPlaced} {
		p, err = b.store.TransitionProposal(ctx, passerelle.System, p.ID, nil, store.TransitionInput{To: to, Reason: "raison " + sentinel})
		require.NoError(t, err, to)
	}
	ls, _, err := b.store.ListPlacements(ctx, passerelle.System, store.PlacementFilter{TraineeID: &id}, store.Page{})
	require.NoError(t, err)
	require.Len(t, ls, 1)
	_, err = b.store.UpdatePlacement(ctx, passerelle.System, ls[0].ID, nil, store.PlacementUpdate{TutorName: ptr("Tuteur " + sentinel), TutorRole: ptr("rôle " + sentinel)})
	require.NoError(t, err)
	_, err = b.store.EndPlacement(ctx, passerelle.System, ls[0].ID, nil, store.PlacementEnd{Outcome: "interrupted", Reason: "fin " + sentinel})
	require.NoError(t, err)
	other, err := b.store.CreateOffer(ctx, passerelle.System, offerInput(b.company))
	require.NoError(t, err)
	_, err = b.store.TransitionOffer(ctx, passerelle.System, other.ID, nil, store.ActionPublish)
	require.NoError(t, err)
	cur, err := b.store.GetTrainee(ctx, passerelle.System, id)
	require.NoError(t, err)
	_, err = b.store.ApplySuggestions(ctx, id, cur.Version, []matching.Match{{OfferID: other.ID, Score: 77,
		Reasons: []matching.Reason{{Code: matching.ReasonSkills, Points: 30, Detail: "skills " + sentinel}}}})
	require.NoError(t, err)
	b.exec(`UPDATE trainees SET status = 'exited', exit_date = current_date - 40 WHERE id = $1`, id)
	_, err = b.store.CreateDueFollowups(ctx)
	require.NoError(t, err)
	fs, _, err := b.store.ListFollowups(ctx, passerelle.System, store.FollowupFilter{TraineeID: &id}, store.Page{})
	require.NoError(t, err)
	require.NotEmpty(t, fs)
	_, err = b.store.RecordFollowup(ctx, passerelle.System, fs[0].ID, nil, store.FollowupInput{Situation: "training", Note: "suivi " + sentinel})
	require.NoError(t, err)
	// Delivery logs and an inbox notification that name the trainee.
	b.exec(`INSERT INTO notifications (id, adviser_id, event_id, event_type, title, body, payload)
		SELECT gen_random_uuid(), $1, e.id, e.type, 'titre', 'corps ' || $3, e.payload FROM events e WHERE e.payload->>'trainee_id' = $2`,
		b.adviser, id.String(), sentinel)
	b.exec(`INSERT INTO deliveries (id, event_id, event_type, channel, recipient, adviser_id, status, last_error)
		SELECT gen_random_uuid(), e.id, e.type, 'email', $1::uuid::text, $1::uuid, 'failed', 'smtp said ' || $3
		FROM events e WHERE e.payload->>'trainee_id' = $2`, b.adviser, id.String(), sentinel)

	dump := dumpAll(t, b)
	for _, s := range []string{sentinel, "zorblax.7q@exemple.invalid", "06 99 88 77 66"} {
		require.Contains(t, dump, s, "the test wrote %q before the erasure", s)
	}
	before, err := b.store.ProgrammeStatsFor(ctx, passerelle.System, store.StatsFilter{OrganisationID: &b.org})
	require.NoError(t, err)
	require.Equal(t, 1, before.ProposalsByStatus[store.ProposalSuggested])

	e, err := b.store.EraseTrainee(ctx, passerelle.System, id)
	require.NoError(t, err)
	require.Equal(t, store.ErasureRequest, e.Cause)
	require.EqualValues(t, 1, e.Counts["suggestions_deleted"])

	dump = dumpAll(t, b)
	for _, s := range []string{sentinel, "zorblax.7q@exemple.invalid", "06 99 88 77 66", "2004-02-29"} {
		require.NotContains(t, dump, s, "%q is still in the database after the erasure", s)
	}
	_, err = b.store.GetTrainee(ctx, passerelle.System, id)
	require.Equal(t, passerelle.ENotFound, passerelle.ErrorCode(err), "an erased trainee is not found: %v", err)
	_, err = b.store.ExportTrainee(ctx, passerelle.System, id)
	require.Equal(t, passerelle.ENotFound, passerelle.ErrorCode(err))
	_, err = b.store.EraseTrainee(ctx, passerelle.System, id)
	require.Equal(t, passerelle.ENotFound, passerelle.ErrorCode(err), "erasing twice finds nothing")

	after, err := b.store.ProgrammeStatsFor(ctx, passerelle.System, store.StatsFilter{OrganisationID: &b.org})
	require.NoError(t, err)
	require.Equal(t, 0, after.ProposalsByStatus[store.ProposalSuggested], "suggestions are gone")
	before.ProposalsByStatus[store.ProposalSuggested] = 0
	require.Equal(t, before, after, "the programme's figures are unchanged but for the deleted suggestions")

	require.Equal(t, 1, b.count(`SELECT count(*) FROM erasures WHERE trainee_id = $1 AND cause = 'request'`, id))
	require.Equal(t, 1, b.count(`SELECT count(*) FROM events WHERE type = 'trainee.erased' AND subject_id = $1`, id))
	require.Equal(t, 0, b.count(`SELECT count(*) FROM events WHERE type <> 'trainee.erased' AND payload ? 'trainee_id' AND payload->>'trainee_id' = $1`, id.String()))
}

func ptr[T any](v T) *T { return &v }

// TestDumpHoldsNoRQTHInClear takes a real dump (pg_dump of PostgreSQL 15)
// of a database with two trainees, one with RQTH and one without: the clear
// column is empty, the sealed values open only with the key, and the two
// rows' sealed values do not reveal which is which.
func TestDumpHoldsNoRQTHInClear(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := map[bool]uuid.UUID{}
	for _, v := range []bool{true, false} {
		id := b.trainee()
		_, err := b.store.RecordConsent(b.ctx, passerelle.System, id, store.ConsentInput{Scope: store.ConsentRQTH})
		require.NoError(t, err)
		in := b.traineeInput()
		in.RQTH = ptr(v)
		tr, err := b.store.UpdateTrainee(b.ctx, passerelle.System, id, nil, in)
		require.NoError(t, err)
		require.Equal(t, v, *tr.RQTH, "the store opens what it sealed")
		ids[v] = id
	}
	pgDump := "/usr/lib/postgresql/15/bin/pg_dump"
	out, err := exec.CommandContext(b.ctx, pgDump, "--data-only", "--table=trainees", "--column-inserts", "--dbname", b.pool.Config().ConnString()).Output()
	require.NoError(t, err, "pg_dump: %s", out)
	dump := string(out)
	for v, id := range ids {
		var line string
		for _, l := range strings.Split(dump, "\n") {
			if strings.Contains(l, id.String()) {
				line = l
			}
		}
		require.NotEmpty(t, line, "the dump holds trainee %s", id)
		cols, vals, _ := strings.Cut(line, ") VALUES (")
		names := strings.Split(cols[strings.Index(cols, "(")+1:], ", ")
		values := splitValues(vals)
		require.Len(t, values, len(names), "%s", line)
		at := slices.Index(names, "rqth")
		require.Equal(t, "NULL", values[at], "no RQTH in clear (trainee with RQTH %v)", v)
		sealed := values[slices.Index(names, "rqth_sealed")]
		require.NotContains(t, []string{"NULL", "true", "false", "'t'", "'f'"}, sealed)
		require.NotContains(t, strings.ToLower(sealed), "true")
		require.NotContains(t, strings.ToLower(sealed), "false")
	}
	require.Equal(t, 1, b.count(`SELECT count(DISTINCT length(rqth_sealed)) FROM trainees WHERE rqth_sealed IS NOT NULL`),
		"true and false sealed to lengths that differ would tell them apart")
}

// splitValues splits the VALUES of a pg_dump --column-inserts line.
func splitValues(s string) []string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ");")
	var out []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' && quoted && i+1 < len(s) && s[i+1] == '\'':
			cur.WriteString("''")
			i++
		case c == '\'':
			quoted = !quoted
			cur.WriteByte(c)
		case c == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// TestRotateDataReSealsWithTheNewKey rotates the data key while the old one
// stays readable: every value is re-sealed, then opens with the new key
// alone.
func TestRotateDataReSealsWithTheNewKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	old, err := datakey.Generate("old")
	require.NoError(t, err)
	ring, err := datakey.Parse(old, "")
	require.NoError(t, err)
	b.store.SetDataKeys(ring)
	var ids []uuid.UUID
	for i := range 3 {
		id := b.trainee()
		_, err := b.store.RecordConsent(b.ctx, passerelle.System, id, store.ConsentInput{Scope: store.ConsentRQTH})
		require.NoError(t, err)
		in := b.traineeInput()
		in.RQTH = ptr(i%2 == 0)
		_, err = b.store.UpdateTrainee(b.ctx, passerelle.System, id, nil, in)
		require.NoError(t, err)
		ids = append(ids, id)
	}
	// A value written in clear before sealing existed.
	legacy := b.trainee()
	b.exec(`UPDATE trainees SET rqth = true WHERE id = $1`, legacy)
	b.exec(`INSERT INTO consents (id, trainee_id, scope, recorded_by, recorded_role) VALUES (gen_random_uuid(), $1, 'rqth', gen_random_uuid(), 'admin')`, legacy)

	newKey, err := datakey.Generate("new")
	require.NoError(t, err)
	both, err := datakey.Parse(newKey, old)
	require.NoError(t, err)
	b.store.SetDataKeys(both)
	// During the rotation, what the old key sealed is still read.
	tr, err := b.store.GetTrainee(b.ctx, passerelle.System, ids[0])
	require.NoError(t, err)
	require.True(t, *tr.RQTH)
	n, err := b.store.RotateData(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, 0, b.count(`SELECT count(*) FROM trainees WHERE rqth IS NOT NULL OR rqth_key_id <> 'new'`))
	n, err = b.store.RotateData(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n, "a second run finds nothing left")

	only, err := datakey.Parse(newKey, "")
	require.NoError(t, err)
	b.store.SetDataKeys(only)
	for i, id := range append(ids, legacy) {
		tr, err := b.store.GetTrainee(b.ctx, passerelle.System, id)
		require.NoError(t, err)
		require.Equal(t, i%2 == 0 || id == legacy, *tr.RQTH, "trainee %d after rotation", i)
	}
}

// clockAt returns a store whose database clock is moved on by offset: a
// pool whose search_path puts public before pg_catalog, where public.now()
// is the real clock plus offset. The test's own database only.
func clockAt(t *testing.T, b *bundle, offset time.Duration) *store.Store {
	t.Helper()
	b.exec(`CREATE OR REPLACE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql STABLE AS
		$$ SELECT pg_catalog.now() + '` + (time.Duration(offset.Seconds()) * time.Second).String() + `'::interval $$`)
	cfg, err := pgxpool.ParseConfig(b.pool.Config().ConnString())
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = "public, pg_catalog"
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var moved time.Time
	require.NoError(t, pool.QueryRow(b.ctx, `SELECT now()`).Scan(&moved))
	require.WithinDuration(t, time.Now().Add(offset), moved, time.Hour, "the clock moved")
	st := store.New(pool, nil)
	st.SetDataKeys(datakey.Ephemeral("test"))
	return st
}

// TestRetentionOnTheDatabaseClock moves the test database's clock forward
// step by step, with each rule given its own period: at each step exactly
// the rules whose period has run remove their rows, and the rest stays.
func TestRetentionOnTheDatabaseClock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := b.ctx
	day := 24 * time.Hour
	periods := store.RetentionPeriods{
		store.RetainSigninLinks: 1 * day, store.RetainSessions: 3 * day, store.RetainIdempotency: 5 * day,
		store.RetainRefusal: 10 * day, store.RetainDeliveryLogs: 20 * day, store.RetainNotifications: 30 * day,
		store.RetainEvents: 40 * day, store.RetainAudit: 50 * day, store.RetainTraineeInactive: 60 * day,
	}
	// A refused proposal, with a reason, of a trainee who also has a
	// recent trainee (active 30 days longer).
	refused := b.trainee()
	p, err := b.store.CreateProposal(ctx, passerelle.System, store.ProposalInput{TraineeID: refused, OfferID: b.offer})
	require.NoError(t, err)
	_, err = b.store.TransitionProposal(ctx, passerelle.System, p.ID, nil, store.TransitionInput{To: store.ProposalDismissed, Reason: "pas le bon moment"})
	require.NoError(t, err)
	recent := b.trainee()
	b.exec(`UPDATE trainees SET updated_at = now() + interval '30 days' WHERE id = $1`, recent)
	_, err = b.store.CreateSigninLinks(ctx, "referent@example.org")
	require.NoError(t, err)
	b.exec(`INSERT INTO sessions (id, adviser_id, token_hash, expires_at) VALUES (gen_random_uuid(), $1, 'x', now())`, b.adviser)
	var key uuid.UUID
	require.NoError(t, b.pool.QueryRow(ctx, `INSERT INTO api_keys (id, prefix, secret_hash, name, role) VALUES (gen_random_uuid(), 'psl_t', 'h', 't', 'admin') RETURNING id`).Scan(&key))
	b.exec(`INSERT INTO idempotency_keys (api_key_id, key, request_hash, state) VALUES ($1, 'k', 'h', 'done')`, key)
	b.exec(`INSERT INTO deliveries (id, event_id, event_type, channel, recipient, adviser_id, status)
		SELECT gen_random_uuid(), id, type, 'email', $1::uuid::text, $1::uuid, 'sent' FROM events LIMIT 1`, b.adviser)
	b.exec(`INSERT INTO deliveries (id, event_id, event_type, channel, recipient, adviser_id, status)
		SELECT gen_random_uuid(), id, type, 'email', 'pending-' || $1::uuid::text, $1::uuid, 'pending' FROM events ORDER BY occurred_at DESC LIMIT 1`, b.adviser)
	b.exec(`INSERT INTO notifications (id, adviser_id, event_id, event_type, title) SELECT gen_random_uuid(), $1, id, type, 't' FROM events`, b.adviser)

	counts := func() map[string]int {
		return map[string]int{
			"signin_links":  b.count(`SELECT count(*) FROM signin_links`),
			"sessions":      b.count(`SELECT count(*) FROM sessions`),
			"idempotency":   b.count(`SELECT count(*) FROM idempotency_keys`),
			"refusal":       b.count(`SELECT count(*) FROM proposals WHERE id = $1 AND reasons = '[]' AND score IS NULL AND status = 'dismissed'`, p.ID) + b.count(`SELECT count(*) FROM proposal_transitions WHERE proposal_id = $1 AND reason = ''`, p.ID),
			"deliveries":    b.count(`SELECT count(*) FROM deliveries`),
			"notifications": b.count(`SELECT count(*) FROM notifications`),
			"events":        b.count(`SELECT count(*) FROM events`),
			"audit":         b.count(`SELECT count(*) FROM audit_log WHERE action <> 'erase'`),
			"erased":        b.count(`SELECT count(*) FROM trainees WHERE erased_at IS NOT NULL`),
		}
	}
	start := counts()
	for _, k := range []string{"signin_links", "sessions", "idempotency", "deliveries", "notifications", "events", "audit"} {
		require.Positive(t, start[k], "the test wrote %s rows", k)
	}
	require.Equal(t, 2, start["refusal"], "an adviser's proposal has no score and its created line no reason; the dismissal holds one")
	require.Zero(t, start["erased"])

	step := func(offset time.Duration) (store.RetentionResult, map[string]int) {
		res, err := clockAt(t, b, offset).ApplyRetention(ctx, periods)
		require.NoError(t, err)
		return res, counts()
	}
	res, c := step(12 * time.Hour)
	for name, n := range res {
		require.Zero(t, n, "nothing is due after 12 hours: %s", name)
	}
	require.Equal(t, start, c)

	res, c = step(1*day + time.Hour) // sign-in links expired 15 min after creation
	require.Zero(t, c["signin_links"])
	require.Positive(t, res[store.RetainSigninLinks])
	require.Equal(t, start["sessions"], c["sessions"])

	_, c = step(3*day + time.Hour)
	require.Zero(t, c["sessions"])
	require.Equal(t, start["idempotency"], c["idempotency"])

	_, c = step(5*day + time.Hour)
	require.Zero(t, c["idempotency"])
	require.Equal(t, 2, c["refusal"])

	_, c = step(10*day + time.Hour)
	require.Equal(t, 3, c["refusal"], "the refused proposal's score, reasons and history text are blanked")
	require.Equal(t, start["deliveries"], c["deliveries"])

	_, c = step(20*day + time.Hour)
	require.Equal(t, 1, c["deliveries"], "the sent delivery is gone, the pending one stays")
	require.Equal(t, start["notifications"], c["notifications"])

	_, c = step(30*day + time.Hour)
	require.Zero(t, c["notifications"])
	require.Equal(t, start["events"], c["events"])

	_, c = step(40*day + time.Hour)
	require.Equal(t, 1, c["events"], "only the event whose delivery is pending stays")
	require.Equal(t, start["audit"], c["audit"])

	res, c = step(50*day + time.Hour)
	require.Zero(t, c["audit"])
	require.Zero(t, c["erased"])
	require.Zero(t, res[store.RetainTraineeInactive])

	res, c = step(60*day + time.Hour)
	require.EqualValues(t, 1, res[store.RetainTraineeInactive], "the trainee inactive for 60 days is erased, the recent one is not")
	require.Equal(t, 1, c["erased"])
	require.Equal(t, 1, b.count(`SELECT count(*) FROM trainees WHERE id = $1 AND erased_at IS NOT NULL`, refused))
	require.Equal(t, 1, b.count(`SELECT count(*) FROM erasures WHERE trainee_id = $1 AND cause = 'retention'`, refused))

	res, c = step(90*day + time.Hour)
	require.EqualValues(t, 1, res[store.RetainTraineeInactive])
	require.Equal(t, 2, c["erased"])
	require.Equal(t, 1, b.count(`SELECT count(*) FROM trainees WHERE id = $1 AND erased_at IS NOT NULL`, recent))
}

// TestWithdrawingRQTHLeavesNothingToInfer: a proposal scored while the
// trainee's RQTH was known (accessibility 0 at a workplace not marked
// disability-friendly) reads, once the consent is withdrawn, exactly as for
// a trainee without RQTH.
func TestWithdrawingRQTHLeavesNothingToInfer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.trainee()
	c, err := b.store.RecordConsent(b.ctx, passerelle.System, id, store.ConsentInput{Scope: store.ConsentRQTH})
	require.NoError(t, err)
	in := b.traineeInput()
	in.RQTH = ptr(true)
	tr, err := b.store.UpdateTrainee(b.ctx, passerelle.System, id, nil, in)
	require.NoError(t, err)
	reasons := []matching.Reason{{Code: matching.ReasonROME, Points: 35, Detail: "same ROME code"},
		{Code: matching.ReasonAccessibility, Points: 0, Detail: "workplace not marked disability-friendly"}}
	_, err = b.store.ApplySuggestions(b.ctx, id, tr.Version, []matching.Match{{OfferID: b.offer, Score: 35, Reasons: reasons}})
	require.NoError(t, err)
	sg, err := b.store.ListSuggestions(b.ctx, passerelle.System, id)
	require.NoError(t, err)
	require.Len(t, sg, 1)
	_, err = b.store.TransitionProposal(b.ctx, passerelle.System, sg[0].ProposalID, nil, store.TransitionInput{To: store.ProposalShortlisted})
	require.NoError(t, err)

	_, err = b.store.WithdrawConsent(b.ctx, passerelle.System, id, c.ID)
	require.NoError(t, err)
	tr, err = b.store.GetTrainee(b.ctx, passerelle.System, id)
	require.NoError(t, err)
	require.Nil(t, tr.RQTH)
	sg, err = b.store.ListSuggestions(b.ctx, passerelle.System, id)
	require.NoError(t, err)
	require.Len(t, sg, 1)
	require.Equal(t, 35+matching.WeightAccessibility, sg[0].Score, "the score is as for anyone without RQTH")
	require.Equal(t, matching.Reason{Code: matching.ReasonAccessibility, Points: matching.WeightAccessibility,
		Detail: "workplace not marked disability-friendly"}, sg[0].Reasons[1])
	require.Equal(t, 0, b.count(`SELECT count(*) FROM trainees WHERE id = $1 AND (rqth IS NOT NULL OR rqth_sealed IS NOT NULL)`, id))
}
