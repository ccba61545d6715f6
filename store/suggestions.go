package store

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/matching"
)

// The matcher's side of proposals: it reads profiles and offers, and turns
// its results into `suggested` proposals. Its functions act as the system and
// apply no tenancy; they are for the jobs package.

// Proposal statuses.
const (
	ProposalSuggested         = "suggested"
	ProposalShortlisted       = "shortlisted"
	ProposalProposed          = "proposed"
	ProposalInterview         = "interview"
	ProposalAccepted          = "accepted"
	ProposalPlaced            = "placed"
	ProposalDismissed         = "dismissed"
	ProposalDeclinedByCompany = "declined_by_company"
	ProposalDeclinedByTrainee = "declined_by_trainee"
	ProposalWithdrawn         = "withdrawn"
	ProposalExpired           = "expired"
)

// Event types of proposals.
const (
	EventProposalCreated       = "proposal.created"
	EventProposalStatusChanged = "proposal.status_changed"
)

// RoleSystem is the actor role of the matcher and periodic jobs in a
// proposal's history.
const RoleSystem = "system"

// MatchProfile is a trainee as the matcher sees them, with what decides
// whether they are matched at all.
type MatchProfile struct {
	Trainee matching.Trainee
	Version int
	// Matchable is false when the trainee is not active, has no matching
	// consent, or is under 15 without a guardian's consent: their
	// suggestions are all withdrawn.
	Matchable bool
	// Now is the database clock when the profile was read: the time the
	// matcher checks expiry, ages and availability at.
	Now time.Time
}

// matchProfileQuery reads trainees for the matcher: the profile, the
// database clock and day, the consents in force and the offers never to be
// suggested again (dismissed or declined).
const matchProfileQuery = `SELECT ` + traineeColumns + `, now(), ` + parisToday + `,
	ARRAY(SELECT scope FROM consents c WHERE c.trainee_id = trainees.id AND c.withdrawn_at IS NULL),
	ARRAY(SELECT offer_id FROM proposals p WHERE p.trainee_id = trainees.id
		AND p.status IN ('dismissed', 'declined_by_company', 'declined_by_trainee'))
	FROM trainees`

func (s *Store) scanMatchProfile(row pgx.Row) (MatchProfile, error) {
	var t Trainee
	var consents []string
	var excluded []uuid.UUID
	var now, today time.Time
	if err := row.Scan(append(traineeDest(&t), &now, &today, &consents, &excluded)...); err != nil {
		return MatchProfile{}, err
	}
	if err := s.openRQTH(&t); err != nil {
		return MatchProfile{}, err
	}
	out := make(map[uuid.UUID]bool, len(excluded))
	for _, o := range excluded {
		out[o] = true
	}
	p := matchProfileOf(t, consents, out, today)
	p.Now = now
	return p, nil
}

// LoadMatchProfile reads trainee id for the matcher; found is false when the
// trainee no longer exists.
func (s *Store) LoadMatchProfile(ctx context.Context, id uuid.UUID) (p MatchProfile, found bool, err error) {
	p, err = s.scanMatchProfile(s.pool.QueryRow(ctx, matchProfileQuery+` WHERE id = $1 AND erased_at IS NULL`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, wrap("load match profile", err)
}

// ActiveMatchProfiles reads every active trainee for a re-match, in one
// query (one database clock for the whole run) rather than one per trainee.
// A profile that changes afterwards is caught by its version when the
// suggestions are applied.
func (s *Store) ActiveMatchProfiles(ctx context.Context) ([]MatchProfile, error) {
	rows, err := s.pool.Query(ctx, matchProfileQuery+` WHERE status = 'active' AND erased_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, wrap("active match profiles", err)
	}
	profiles, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (MatchProfile, error) { return s.scanMatchProfile(row) })
	return profiles, wrap("active match profiles", err)
}

// matchProfileOf is trainee t as the matcher sees them on day today.
func matchProfileOf(t Trainee, consents []string, excluded map[uuid.UUID]bool, today time.Time) MatchProfile {
	has := func(scope string) bool {
		for _, c := range consents {
			if c == scope {
				return true
			}
		}
		return false
	}
	p := t.Profile
	mt := matching.Trainee{
		ID: t.ID, BirthDate: t.Identity.BirthDate, Home: matching.Point{Lat: p.HomeLatitude, Lon: p.HomeLongitude},
		RadiusKm: float64(p.MobilityRadiusKm), WantedKinds: p.WantedKinds, WantedROME: p.WantedROMECodes,
		Languages: p.Languages, RQTH: t.RQTH != nil && *t.RQTH && has(ConsentRQTH), Excluded: excluded,
	}
	for _, sk := range p.Skills {
		mt.Skills = append(mt.Skills, matching.Skill{Name: sk.Name, Evidence: matching.Evidence(sk.Evidence)})
	}
	for _, w := range p.Availability {
		win := matching.Window{From: w.From}
		if w.To != nil {
			win.To = *w.To
		}
		mt.Availability = append(mt.Availability, win)
	}
	if p.MaxWeeklyHours != nil {
		mt.MaxWeeklyHours = *p.MaxWeeklyHours
	}
	matchable := t.Status == TraineeActive && has(ConsentMatching) &&
		(Age(t.Identity.BirthDate, today) >= GuardianAge || has(ConsentGuardian))
	return MatchProfile{Trainee: mt, Version: t.Version, Matchable: matchable}
}

// matchOfferColumns are what the matcher reads of an offer.
const matchOfferColumns = `id, kind, status, rome_codes, required_skills, optional_skills, latitude, longitude, remote,
	start_date, coalesce(end_date, start_date + duration_weeks * 7), coalesce(weekly_hours::float8, 0),
	positions - positions_filled, coalesce(min_age, 0), coalesce(max_age, 0), open_to_minors, disability_friendly, expires_at`

func scanMatchOffer(row pgx.Row) (matching.Offer, error) {
	var o matching.Offer
	var start, end, expires *time.Time
	err := row.Scan(&o.ID, &o.Kind, &o.Status, &o.ROME, &o.RequiredSkills, &o.OptionalSkills, &o.Location.Lat,
		&o.Location.Lon, &o.Remote, &start, &end, &o.WeeklyHours, &o.PositionsLeft, &o.MinAge, &o.MaxAge,
		&o.OpenToMinors, &o.DisabilityFriendly, &expires)
	if start != nil {
		o.Start = *start
	}
	if end != nil {
		o.End = *end
	}
	if expires != nil {
		o.ExpiresAt = *expires
	}
	return o, err
}

// kmPerDegree is the length of a degree of latitude.
const kmPerDegree = 111.2

// CandidateOffers returns the published offers that could suit t: within a
// box around home that holds the mobility radius, or fully remote. The
// matcher's grid then applies the exact distance.
func (s *Store) CandidateOffers(ctx context.Context, t matching.Trainee) ([]matching.Offer, error) {
	dLat := t.RadiusKm/kmPerDegree + 0.01
	dLon := dLat / math.Max(math.Cos(t.Home.Lat*math.Pi/180), 0.01)
	rows, err := s.pool.Query(ctx, `SELECT `+matchOfferColumns+` FROM offers
		WHERE status = 'published' AND positions_filled < positions
			AND (cardinality($1::text[]) = 0 OR kind = ANY ($1))
			AND (remote = 'full' OR (latitude BETWEEN $2 AND $3 AND longitude BETWEEN $4 AND $5))`,
		t.WantedKinds, t.Home.Lat-dLat, t.Home.Lat+dLat, t.Home.Lon-dLon, t.Home.Lon+dLon)
	if err != nil {
		return nil, wrap("candidate offers", err)
	}
	offers, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (matching.Offer, error) { return scanMatchOffer(r) })
	return offers, wrap("candidate offers", err)
}

// PublishedOffers returns every published offer with positions left, for a
// re-match of everyone.
func (s *Store) PublishedOffers(ctx context.Context) ([]matching.Offer, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+matchOfferColumns+` FROM offers
		WHERE status = 'published' AND positions_filled < positions`)
	if err != nil {
		return nil, wrap("published offers", err)
	}
	offers, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (matching.Offer, error) { return scanMatchOffer(r) })
	return offers, wrap("published offers", err)
}

// ErrProfileMoved says a trainee changed while they were being matched: the
// results are stale and the match must run again.
var ErrProfileMoved = errors.New("store: trainee changed during matching")

// SuggestionResult says what applying a match changed.
type SuggestionResult struct {
	Created, Updated, Revived, Withdrawn int
}

// ApplySuggestions makes matches the trainee's suggestions, in one
// transaction: new pairs become `suggested` proposals (with a
// proposal.created event for the referent), existing suggestions take the new
// score and reasons, suggestions the matcher itself withdrew come back, and
// suggestions no longer among matches are withdrawn. Proposals someone acted
// on are never touched. version is the trainee's version the matches were
// computed from: if it moved, nothing is written and ErrProfileMoved returned.
func (s *Store) ApplySuggestions(ctx context.Context, id uuid.UUID, version int, matches []matching.Match) (SuggestionResult, error) {
	var res SuggestionResult
	offerIDs := make([]uuid.UUID, len(matches))
	scores := make([]int, len(matches))
	reasons := make([][]matching.Reason, len(matches))
	for i, m := range matches {
		offerIDs[i], scores[i], reasons[i] = m.OfferID, m.Score, nonNilSlice(m.Reasons)
	}
	type change struct {
		id, offer, company uuid.UUID
		title              string
		score              int
		before             *string
	}
	var (
		org, referent uuid.UUID
		current       int
		gone          bool
		changes       []change
		withdrawn     []change
	)
	// The nightly re-match applies ten thousand of these: BEGIN, the lock on
	// the trainee, the upsert and the withdrawal travel in one round trip.
	// The writes are guarded by the version the matches were computed from,
	// read under the lock the first statement takes, so a trainee who moved
	// (or was erased) gets nothing written.
	err := s.inTxFrom(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT organisation_id, referent_id, version FROM trainees WHERE id = $1 AND erased_at IS NULL FOR UPDATE`, id)
		// One statement upserts every match and reports what each row was
		// before: absent (created), suggested (updated) or withdrawn by the
		// system (revived).
		b.Queue(`WITH input AS (
				SELECT * FROM unnest($2::uuid[], $3::int[], $4::jsonb[]) AS i (offer_id, score, reasons)
				WHERE EXISTS (SELECT 1 FROM trainees WHERE id = $1 AND version = $5 AND erased_at IS NULL)
			), before AS (
				SELECT p.offer_id, p.status FROM proposals p JOIN input USING (offer_id) WHERE p.trainee_id = $1
			), upserted AS (
				INSERT INTO proposals AS p (id, trainee_id, offer_id, organisation_id, company_id, status, origin, score, reasons, status_actor_role)
				SELECT gen_random_uuid(), $1, i.offer_id, t.organisation_id, o.company_id, 'suggested', 'matcher', i.score, i.reasons, 'system'
				FROM input i JOIN offers o ON o.id = i.offer_id JOIN trainees t ON t.id = $1
				ON CONFLICT (trainee_id, offer_id) DO UPDATE SET score = excluded.score, reasons = excluded.reasons,
					status = 'suggested', status_actor_role = 'system',
					status_changed_at = CASE WHEN p.status = 'suggested' THEN p.status_changed_at ELSE now() END,
					updated_at = now(), version = p.version + 1
				WHERE (p.status = 'suggested' AND (p.score IS DISTINCT FROM excluded.score OR p.reasons <> excluded.reasons))
					OR (p.status = 'withdrawn' AND p.status_actor_role = 'system')
				RETURNING p.id, p.offer_id, p.company_id, p.score
			)
			SELECT u.id, u.offer_id, u.company_id, o.title, u.score, b.status
			FROM upserted u JOIN offers o ON o.id = u.offer_id LEFT JOIN before b USING (offer_id)`,
			id, offerIDs, scores, reasons, version)
		// Suggestions no longer among the matches are withdrawn.
		b.Queue(`UPDATE proposals SET status = 'withdrawn', status_actor_role = 'system',
				status_changed_at = now(), updated_at = now(), version = version + 1
			WHERE trainee_id = $1 AND status = 'suggested' AND NOT offer_id = ANY ($2)
				AND EXISTS (SELECT 1 FROM trainees WHERE id = $1 AND version = $3 AND erased_at IS NULL)
			RETURNING id, offer_id, company_id, (SELECT title FROM offers o WHERE o.id = offer_id)`, id, offerIDs, version)
	}, func(br pgx.BatchResults) error {
		err := br.QueryRow().Scan(&org, &referent, &current)
		if errors.Is(err, pgx.ErrNoRows) {
			gone = true // erased meanwhile: nothing to suggest
		} else if err != nil {
			return err
		}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		if changes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (change, error) {
			var c change
			err := r.Scan(&c.id, &c.offer, &c.company, &c.title, &c.score, &c.before)
			return c, err
		}); err != nil {
			return err
		}
		if rows, err = br.Query(); err != nil {
			return err
		}
		withdrawn, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (change, error) {
			var c change
			err := r.Scan(&c.id, &c.offer, &c.company, &c.title)
			return c, err
		})
		if err == nil && !gone && current != version {
			return ErrProfileMoved
		}
		return err
	}, func(tx pgx.Tx) error {
		if gone {
			return nil
		}
		log := suggestionLog{trainee: id, org: org, referent: referent}
		for _, c := range changes {
			switch {
			case c.before == nil:
				res.Created++
				log.add(c.id, c.offer, c.company, nil, ProposalSuggested, "the matcher found this offer", EventProposalCreated,
					map[string]any{"status": ProposalSuggested, "offer_title": c.title, "score": c.score})
			case *c.before == ProposalSuggested:
				res.Updated++
			default:
				res.Revived++
				log.add(c.id, c.offer, c.company, c.before, ProposalSuggested, "eligible again", EventProposalStatusChanged,
					map[string]any{"from": *c.before, "to": ProposalSuggested, "offer_title": c.title})
			}
		}
		from := ProposalSuggested
		for _, c := range withdrawn {
			res.Withdrawn++
			log.add(c.id, c.offer, c.company, &from, ProposalWithdrawn, "no longer among the trainee's best eligible offers",
				EventProposalStatusChanged, map[string]any{"from": from, "to": ProposalWithdrawn, "offer_title": c.title})
		}
		return log.write(ctx, tx)
	})
	return res, wrap("apply suggestions", err)
}

// suggestionLog gathers what one application of matches records — a history
// line and an event per proposal it moved — to write them in two round trips.
type suggestionLog struct {
	trainee, org, referent uuid.UUID
	transitions            []transitionRow
	events                 []Event
}

// add records that the system moved proposal (of offer, of company) from
// from (nil: created) to to, with the event of type typ. The event's payload
// names the trainee by id only.
func (l *suggestionLog) add(proposal, offer, company uuid.UUID, from *string, to, reason, typ string, extra map[string]any) {
	l.transitions = append(l.transitions, transitionRow{ProposalID: proposal, From: from, To: to, Reason: reason})
	payload := map[string]any{"proposal_id": proposal, "offer_id": offer, "trainee_id": l.trainee}
	for k, v := range extra {
		payload[k] = v
	}
	l.events = append(l.events, Event{Type: typ, OrganisationID: &l.org, CompanyID: &company, AdviserID: &l.referent,
		SubjectType: "proposal", SubjectID: proposal, Payload: payload})
}

// write sends the history lines and the events in one round trip, then
// enqueues the events' fan-out jobs.
func (l *suggestionLog) write(ctx context.Context, tx pgx.Tx) error {
	if len(l.events) == 0 {
		return nil
	}
	var b pgx.Batch
	queueTransitions(&b, systemActor, l.transitions)
	_, jobs, err := queueEvents(&b, l.events)
	if err != nil {
		return err
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return err
	}
	_, err = eventJobs.InsertManyTx(ctx, tx, jobs)
	return err
}

// Suggestion is a proposal as its trainee's organisation sees it in the
// suggestions list: the offer, the score and the reasons.
type Suggestion struct {
	ProposalID  uuid.UUID
	Offer       Offer
	Status      string
	Score       int
	Reasons     []matching.Reason
	DistanceKm  float64
	SuggestedAt time.Time
}

// ListSuggestions returns the live suggestions of trainee id (suggested or
// shortlisted), best first.
func (s *Store) ListSuggestions(ctx context.Context, actor passerelle.Principal, id uuid.UUID) ([]Suggestion, error) {
	if err := mayManageTrainees(actor); err != nil {
		return nil, err
	}
	t, err := getTrainee(ctx, s.pool, actor, id, false)
	if err != nil {
		return nil, wrap("list suggestions", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT p.id, p.status, coalesce(p.score, 0), p.reasons, p.created_at, `+prefixed("o", offerColumns)+`
		FROM proposals p JOIN offer_rows o ON o.id = p.offer_id
		WHERE p.trainee_id = $1 AND p.status IN ('suggested', 'shortlisted')
		ORDER BY p.score DESC NULLS LAST, p.created_at, p.id`, id)
	if err != nil {
		return nil, wrap("list suggestions", err)
	}
	home := matching.Point{Lat: t.Profile.HomeLatitude, Lon: t.Profile.HomeLongitude}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Suggestion, error) {
		var sg Suggestion
		dest := append([]any{&sg.ProposalID, &sg.Status, &sg.Score, &sg.Reasons, &sg.SuggestedAt}, offerDest(&sg.Offer)...)
		if err := r.Scan(dest...); err != nil {
			return sg, err
		}
		sg.DistanceKm = matching.DistanceKm(home, matching.Point{Lat: sg.Offer.Latitude, Lon: sg.Offer.Longitude})
		return sg, nil
	})
	return out, wrap("list suggestions", err)
}

// TraineesNear returns the active trainees whose mobility radius reaches the
// point, or who want remote work of this kind, for matching a new offer.
func (s *Store) TraineesNear(ctx context.Context, kind string, lat, lon float64, fullyRemote bool) ([]uuid.UUID, error) {
	// 300 km is the largest radius a trainee may set.
	const maxRadius = 300.0
	dLat := maxRadius / kmPerDegree
	dLon := dLat / math.Max(math.Cos(lat*math.Pi/180), 0.01)
	rows, err := s.pool.Query(ctx, `SELECT id FROM trainees
		WHERE status = 'active' AND erased_at IS NULL AND (cardinality(wanted_kinds) = 0 OR @kind = ANY (wanted_kinds))
			AND (@remote OR (home_latitude BETWEEN @lat::float8 - @dlat::float8 AND @lat::float8 + @dlat::float8
				AND home_longitude BETWEEN @lon::float8 - @dlon::float8 AND @lon::float8 + @dlon::float8
				AND 2 * 6371 * asin(sqrt(power(sin(radians(home_latitude - @lat::float8) / 2), 2)
					+ cos(radians(@lat::float8)) * cos(radians(home_latitude)) * power(sin(radians(home_longitude - @lon::float8) / 2), 2)))
					<= mobility_radius_km))`,
		pgx.NamedArgs{"kind": kind, "lat": lat, "lon": lon, "dlat": dLat, "dlon": dLon, "remote": fullyRemote})
	if err != nil {
		return nil, wrap("trainees near", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	return ids, wrap("trainees near", err)
}

// TraineesSuggestedFor returns the trainees with a live suggestion of offer id.
func (s *Store) TraineesSuggestedFor(ctx context.Context, id uuid.UUID) ([]uuid.UUID, error) {
	rows, err := s.pool.Query(ctx, `SELECT trainee_id FROM proposals WHERE offer_id = $1 AND status = 'suggested'`, id)
	if err != nil {
		return nil, wrap("trainees suggested for", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	return ids, wrap("trainees suggested for", err)
}

// EnqueueMatches asks for the matching of each trainee, outside any write,
// with a follow-up for each match already running (see MatchTrainee).
func (s *Store) EnqueueMatches(ctx context.Context, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: jobargs.MatchTrainee{TraineeID: id}}
	}
	results, err := s.river.InsertMany(ctx, params)
	if err != nil {
		return wrap("enqueue matches", err)
	}
	var followUps []river.InsertManyParams
	for i, res := range results {
		if followUpNeeded(res) {
			followUps = append(followUps, river.InsertManyParams{Args: jobargs.MatchTrainee{TraineeID: ids[i], After: res.Job.ID}})
		}
	}
	if len(followUps) > 0 {
		_, err = s.river.InsertMany(ctx, followUps)
	}
	return wrap("enqueue matches", err)
}

// offerMatchingChanged asks, in tx, for the trainees an offer may now suit (or
// no longer suit) to be matched again.
func (s *Store) offerMatchingChanged(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	_, err := s.river.InsertTx(ctx, tx, jobargs.MatchOffer{OfferID: id}, nil)
	return err
}
