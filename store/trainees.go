package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/reference"
)

// Trainee statuses.
const (
	TraineeActive   = "active"
	TraineePlaced   = "placed"
	TraineeExited   = "exited"
	TraineeArchived = "archived"
)

// TraineeStatuses lists the statuses in documentation order.
var TraineeStatuses = []string{TraineeActive, TraineePlaced, TraineeExited, TraineeArchived}

// Skill evidence, weakest first.
const (
	EvidenceDeclared         = "declared"
	EvidenceAdviserValidated = "adviser_validated"
	EvidenceOpenBadge        = "open_badge"
)

// Evidences lists the kinds of skill evidence.
var Evidences = []string{EvidenceDeclared, EvidenceAdviserValidated, EvidenceOpenBadge}

// TransportModes are the ways a trainee can travel.
var TransportModes = []string{"walk", "bike", "public_transport", "car", "motorbike", "carpool"}

// Trainee is a young person in a programme. Identity is personal data: only
// the trainee's organisation reads it, and each read is audited. RQTH is
// health data, set only while an rqth consent is recorded.
type Trainee struct {
	ID             uuid.UUID
	OrganisationID uuid.UUID
	CohortID       *uuid.UUID
	ReferentID     uuid.UUID
	Identity       TraineeIdentity
	Profile        TraineeProfile
	Status         string
	ExitDate       *time.Time
	ExitReason     string
	RQTH           *bool
	// GuardianConsentMissing: under GuardianAge without a guardian's
	// consent, so not matched; shown as missing.
	GuardianConsentMissing bool
	CreatedAt              time.Time
	UpdatedAt              time.Time
	Version                int
	pseudonymSalt          []byte
	// rqthSealed is RQTH as stored: sealed with the data key rqthKeyID
	// (datakey.go). The store opens it into RQTH for its callers.
	rqthSealed []byte
	rqthKeyID  *string
}

// TraineeIdentity is who the trainee is.
type TraineeIdentity struct {
	FirstName string
	LastName  string
	BirthDate time.Time // a day
	Email     string
	Phone     string
}

// TraineeProfile is what matching reads.
type TraineeProfile struct {
	HomePostalCode   string
	HomeINSEECode    string
	HomeTown         string  // set by the store from the postal code
	HomeLatitude     float64 // set by the store from the postal code
	HomeLongitude    float64
	MobilityRadiusKm int
	TransportModes   []string
	DrivingLicence   bool
	WantedKinds      []string
	WantedROMECodes  []string
	Skills           []TraineeSkill
	Languages        []string
	Availability     []Window
	MaxWeeklyHours   *float64
}

// TraineeSkill is a skill and how it is known.
type TraineeSkill struct {
	Name     string `json:"name"`
	Evidence string `json:"evidence"`
	BadgeURL string `json:"badge_url,omitempty"`
}

// Window is a period of availability: days, both included; To nil is open.
type Window struct {
	From time.Time  `json:"from"`
	To   *time.Time `json:"to,omitempty"`
}

// TraineeInput is what a caller sets.
type TraineeInput struct {
	CohortID   *uuid.UUID
	ReferentID uuid.UUID
	Identity   TraineeIdentity
	Profile    TraineeProfile
	Status     string // "" is active
	ExitDate   *time.Time
	ExitReason string
	RQTH       *bool
}

// Age is the trainee's age in whole years on day at.
func Age(birth, at time.Time) int {
	age := at.Year() - birth.Year()
	if at.Month() < birth.Month() || (at.Month() == birth.Month() && at.Day() < birth.Day()) {
		age--
	}
	return age
}

// Pseudonym is how company c sees trainee t until identity is revealed: stable
// for one company, unlinkable across companies.
func (t Trainee) Pseudonym(c uuid.UUID) string {
	mac := hmac.New(sha256.New, t.pseudonymSalt)
	mac.Write(c[:])
	code := base32.StdEncoding.EncodeToString(mac.Sum(nil))[:8]
	return "Candidat·e " + code[:4] + "-" + code[4:]
}

const traineeColumns = `id, organisation_id, cohort_id, referent_id, first_name, last_name, birth_date, email, phone,
	home_postal_code, home_insee_code, home_town, home_latitude, home_longitude, mobility_radius_km, transport_modes,
	driving_licence, wanted_kinds, wanted_rome_codes, skills, languages, availability, max_weekly_hours::float8, status,
	exit_date, exit_reason, rqth_sealed, rqth_key_id, pseudonym_salt, created_at, updated_at, version`

func scanTrainee(row pgx.Row) (Trainee, error) {
	var t Trainee
	err := row.Scan(traineeDest(&t)...)
	return t, err
}

// traineeDest are the scan destinations of traineeColumns.
func traineeDest(t *Trainee) []any {
	p := &t.Profile
	return []any{&t.ID, &t.OrganisationID, &t.CohortID, &t.ReferentID, &t.Identity.FirstName, &t.Identity.LastName,
		&t.Identity.BirthDate, &t.Identity.Email, &t.Identity.Phone, &p.HomePostalCode, &p.HomeINSEECode, &p.HomeTown,
		&p.HomeLatitude, &p.HomeLongitude, &p.MobilityRadiusKm, &p.TransportModes, &p.DrivingLicence, &p.WantedKinds,
		&p.WantedROMECodes, &p.Skills, &p.Languages, &p.Availability, &p.MaxWeeklyHours, &t.Status, &t.ExitDate,
		&t.ExitReason, &t.rqthSealed, &t.rqthKeyID, &t.pseudonymSalt, &t.CreatedAt, &t.UpdatedAt, &t.Version}
}

// mayManageTrainees refuses companies: they never read a trainee, only a
// proposal's pseudonymous candidate.
func mayManageTrainees(actor passerelle.Principal) error {
	return mayManageMembers(actor, "trainees")
}

// checkTraineeInput applies the rules a request schema cannot say, and
// normalises in: postal code to commune and coordinates, ROME codes, skills.
func (s *Store) checkTraineeInput(ctx context.Context, db querier, org uuid.UUID, in *TraineeInput, rqthConsent bool) error {
	var fields []passerelle.FieldError
	bad := func(loc, msg string, v any) {
		fields = append(fields, passerelle.FieldError{Location: loc, Message: msg, Value: v})
	}
	if in.Status == "" {
		in.Status = TraineeActive
	}
	if !slices.Contains(TraineeStatuses, in.Status) {
		bad("status", "must be one of "+strings.Join(TraineeStatuses, ", "), in.Status)
	}
	// The API's schema also says so; the console's form has no schema.
	for loc, v := range map[string]*string{"identity.first_name": &in.Identity.FirstName, "identity.last_name": &in.Identity.LastName} {
		if *v = strings.TrimSpace(*v); *v == "" {
			bad(loc, "must not be blank", "")
		}
	}
	in.Identity.BirthDate = day(in.Identity.BirthDate)
	now, err := today(ctx, db)
	if err != nil {
		return err
	}
	if age := Age(in.Identity.BirthDate, now); age < 13 || age > 100 {
		bad("identity.birth_date", "the trainee must be between 13 and 100 years old", in.Identity.BirthDate.Format(time.DateOnly))
	}
	if in.Status == TraineeExited && in.ExitDate == nil {
		bad("exit_date", "an exited trainee needs an exit date", nil)
	}
	if in.ExitDate != nil {
		d := day(*in.ExitDate)
		in.ExitDate = &d
	}
	p := &in.Profile
	if place, lat, lon, err := locate(strings.TrimSpace(p.HomePostalCode), p.HomeINSEECode); err != nil {
		var perr *passerelle.Error
		if errors.As(err, &perr) {
			for _, f := range perr.Fields {
				f.Location = "profile.home_" + f.Location
				fields = append(fields, f)
			}
		}
	} else {
		p.HomePostalCode, p.HomeINSEECode, p.HomeTown, p.HomeLatitude, p.HomeLongitude = place.PostalCode, place.INSEE, place.Town, lat, lon
	}
	for i, k := range p.WantedKinds {
		if !slices.Contains(OfferKinds, k) {
			bad("profile.wanted_kinds["+strconv.Itoa(i)+"]", "must be one of "+strings.Join(OfferKinds, ", "), k)
		}
	}
	// Normalised in a copy: the caller's slice may be shared (the demo's
	// dataset is a package variable read by parallel loads).
	p.WantedROMECodes = slices.Clone(p.WantedROMECodes)
	p.Skills, p.Availability = slices.Clone(p.Skills), slices.Clone(p.Availability)
	for i, c := range p.WantedROMECodes {
		code, err := reference.ParseROME(c)
		if err != nil {
			bad("profile.wanted_rome_codes["+strconv.Itoa(i)+"]", "must be a ROME code: a letter A to N then four digits", c)
			continue
		}
		p.WantedROMECodes[i] = code
	}
	for i, m := range p.TransportModes {
		if !slices.Contains(TransportModes, m) {
			bad("profile.transport_modes["+strconv.Itoa(i)+"]", "must be one of "+strings.Join(TransportModes, ", "), m)
		}
	}
	for i, sk := range p.Skills {
		loc := "profile.skills[" + strconv.Itoa(i) + "]"
		p.Skills[i].Name = strings.Join(strings.Fields(sk.Name), " ")
		if !slices.Contains(Evidences, sk.Evidence) {
			bad(loc+".evidence", "must be one of "+strings.Join(Evidences, ", "), sk.Evidence)
		}
		if sk.Evidence == EvidenceOpenBadge {
			if u, err := url.Parse(sk.BadgeURL); err != nil || u.Scheme != "https" || u.Host == "" {
				bad(loc+".badge_url", "an open badge needs the https URL of its assertion", sk.BadgeURL)
			}
		}
	}
	for i, w := range p.Availability {
		p.Availability[i].From = day(w.From)
		if w.To != nil {
			to := day(*w.To)
			p.Availability[i].To = &to
			if to.Before(p.Availability[i].From) {
				bad("profile.availability["+strconv.Itoa(i)+"].to", "must be on or after from", to.Format(time.DateOnly))
			}
		}
	}
	if in.RQTH != nil && !rqthConsent {
		bad("rqth", "RQTH is health data: record the trainee's rqth consent (POST /v1/trainees/{id}/consents) before setting it", *in.RQTH)
	}
	// The referent and the cohort belong to the trainee's organisation.
	var referentOK, cohortOK bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM advisers WHERE id = $1 AND organisation_id = $2),
		$3::uuid IS NULL OR EXISTS (SELECT 1 FROM cohorts WHERE id = $3 AND organisation_id = $2)`,
		in.ReferentID, org, in.CohortID).Scan(&referentOK, &cohortOK); err != nil {
		return err
	}
	if !referentOK {
		bad("referent_id", "no adviser of the trainee's organisation has this id", in.ReferentID)
	}
	if !cohortOK {
		bad("cohort_id", "no cohort of the trainee's organisation has this id", in.CohortID)
	}
	if len(fields) > 0 {
		return passerelle.Invalid("The trainee cannot be saved as described.", fields...)
	}
	return nil
}

func traineeArgs(in TraineeInput) pgx.NamedArgs {
	p := in.Profile
	return pgx.NamedArgs{"cohort": in.CohortID, "referent": in.ReferentID, "first_name": in.Identity.FirstName,
		"last_name": in.Identity.LastName, "birth_date": in.Identity.BirthDate, "email": in.Identity.Email, "phone": in.Identity.Phone,
		"pc": p.HomePostalCode, "insee": p.HomeINSEECode, "town": p.HomeTown, "lat": p.HomeLatitude, "lon": p.HomeLongitude,
		"radius": p.MobilityRadiusKm, "transport": nonNilSlice(p.TransportModes), "licence": p.DrivingLicence,
		"kinds": nonNilSlice(p.WantedKinds), "rome": nonNilSlice(p.WantedROMECodes), "skills": nonNilSlice(p.Skills),
		"languages": nonNilSlice(p.Languages), "availability": nonNilSlice(p.Availability), "max_hours": p.MaxWeeklyHours,
		"status": in.Status, "exit_date": in.ExitDate, "exit_reason": in.ExitReason}
}

// CreateTrainee adds a trainee to organisation org and asks for their matching.
func (s *Store) CreateTrainee(ctx context.Context, actor passerelle.Principal, org uuid.UUID, in TraineeInput) (Trainee, error) {
	if err := mayManageTrainees(actor); err != nil {
		return Trainee{}, err
	}
	var t Trainee
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkOrganisation(ctx, tx, actor, org); err != nil {
			return err
		}
		// A new trainee has no consent yet, so no RQTH.
		if err := s.checkTraineeInput(ctx, tx, org, &in, false); err != nil {
			return err
		}
		salt := make([]byte, 32)
		_, _ = rand.Read(salt)
		args := traineeArgs(in)
		id := uuid.New()
		args["id"], args["org"], args["salt"] = id, org, salt
		if err := s.sealRQTH(args, id, in.RQTH); err != nil {
			return err
		}
		var err error
		t, err = scanTrainee(tx.QueryRow(ctx, `INSERT INTO trainees (id, organisation_id, cohort_id, referent_id, first_name,
			last_name, birth_date, email, phone, home_postal_code, home_insee_code, home_town, home_latitude, home_longitude,
			mobility_radius_km, transport_modes, driving_licence, wanted_kinds, wanted_rome_codes, skills, languages,
			availability, max_weekly_hours, status, exit_date, exit_reason, rqth_sealed, rqth_key_id, pseudonym_salt)
			VALUES (@id, @org, @cohort, @referent, @first_name, @last_name, @birth_date, @email, @phone, @pc, @insee, @town,
			@lat, @lon, @radius, @transport, @licence, @kinds, @rome, @skills, @languages, @availability, @max_hours,
			@status, @exit_date, @exit_reason, @rqth_sealed, @rqth_key_id, @salt)
			RETURNING `+traineeColumns, args))
		if err != nil {
			return err
		}
		ts := []Trainee{t}
		if err := s.finishTrainees(ctx, tx, ts); err != nil {
			return err
		}
		t = ts[0]
		if err := audit(ctx, tx, actor, "create", "trainee", t.ID, &t.OrganisationID, nil); err != nil {
			return err
		}
		return s.enqueueMatch(ctx, tx, t.ID)
	})
	return t, wrap("create trainee", err)
}

// GetTrainee returns a trainee actor may see, and audits the read of their
// identity.
func (s *Store) GetTrainee(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Trainee, error) {
	if err := mayManageTrainees(actor); err != nil {
		return Trainee{}, err
	}
	var t Trainee
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		t, err = getTrainee(ctx, tx, actor, id, false)
		if err != nil {
			return err
		}
		ts := []Trainee{t}
		if err := s.finishTrainees(ctx, tx, ts); err != nil {
			return err
		}
		t = ts[0]
		return auditIdentityRead(ctx, tx, actor, []Trainee{t})
	})
	return t, wrap("get trainee", err)
}

func getTrainee(ctx context.Context, db querier, actor passerelle.Principal, id uuid.UUID, forUpdate bool) (Trainee, error) {
	args := pgx.NamedArgs{"id": id}
	return getOne(ctx, db, `SELECT `+traineeColumns+` FROM trainees WHERE id = @id AND erased_at IS NULL AND `+memberScope(actor, args), args,
		forUpdate, "", scanTrainee, "Trainee")
}

// auditIdentityRead records that actor read the identity (and RQTH, when set)
// of trainees: one row per trainee, written by one statement whatever the
// page's size.
func auditIdentityRead(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, trainees []Trainee) error {
	rows := make([]auditRow, len(trainees))
	for i, t := range trainees {
		rows[i] = auditRow{ResourceID: t.ID, OrganisationID: &t.OrganisationID, Details: map[string]any{"rqth": t.rqthSealed != nil}}
	}
	return auditRows(ctx, tx, actor, "read_identity", "trainee", rows)
}

// TraineeFilter narrows a list of trainees.
type TraineeFilter struct {
	CohortID   *uuid.UUID
	ReferentID *uuid.UUID
	Status     string
}

// ListTrainees lists the trainees of organisation org, auditing the identity
// reads.
func (s *Store) ListTrainees(ctx context.Context, actor passerelle.Principal, org uuid.UUID, f TraineeFilter, page Page) ([]Trainee, *Cursor, error) {
	if err := mayManageTrainees(actor); err != nil {
		return nil, nil, err
	}
	var items []Trainee
	var next *Cursor
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkOrganisation(ctx, tx, actor, org); err != nil {
			return err
		}
		var err error
		items, next, err = listPage(ctx, tx, `SELECT `+traineeColumns+` FROM trainees WHERE organisation_id = @org AND erased_at IS NULL
			AND (@cohort::uuid IS NULL OR cohort_id = @cohort) AND (@referent::uuid IS NULL OR referent_id = @referent)
			AND (@status = '' OR status = @status)`,
			pgx.NamedArgs{"org": org, "cohort": f.CohortID, "referent": f.ReferentID, "status": f.Status}, page, scanTrainee,
			func(t Trainee) Cursor { return Cursor{UpdatedAt: t.UpdatedAt, ID: t.ID} })
		if err != nil {
			return err
		}
		if err := s.finishTrainees(ctx, tx, items); err != nil {
			return err
		}
		return auditIdentityRead(ctx, tx, actor, items)
	})
	return items, next, wrap("list trainees", err)
}

// UpdateTrainee replaces a trainee's fields and asks for their matching
// again. ifVersion, when not nil, must match the current version (If-Match).
func (s *Store) UpdateTrainee(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in TraineeInput) (Trainee, error) {
	if err := mayManageTrainees(actor); err != nil {
		return Trainee{}, err
	}
	var t Trainee
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := getTrainee(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, before.Version); err != nil {
			return err
		}
		if err := s.openRQTH(&before); err != nil {
			return err
		}
		rqthConsent, err := hasConsent(ctx, tx, id, ConsentRQTH)
		if err != nil {
			return err
		}
		if err := s.checkTraineeInput(ctx, tx, before.OrganisationID, &in, rqthConsent); err != nil {
			return err
		}
		args := traineeArgs(in)
		args["id"] = id
		if err := s.sealRQTH(args, id, in.RQTH); err != nil {
			return err
		}
		t, err = scanTrainee(tx.QueryRow(ctx, `UPDATE trainees SET cohort_id = @cohort, referent_id = @referent,
			first_name = @first_name, last_name = @last_name, birth_date = @birth_date, email = @email, phone = @phone,
			home_postal_code = @pc, home_insee_code = @insee, home_town = @town, home_latitude = @lat, home_longitude = @lon,
			mobility_radius_km = @radius, transport_modes = @transport, driving_licence = @licence, wanted_kinds = @kinds,
			wanted_rome_codes = @rome, skills = @skills, languages = @languages, availability = @availability,
			max_weekly_hours = @max_hours, status = @status, exit_date = @exit_date, exit_reason = @exit_reason,
			rqth_sealed = @rqth_sealed, rqth_key_id = @rqth_key_id,
			updated_at = now(), version = version + 1
			WHERE id = @id RETURNING `+traineeColumns, args))
		if err != nil {
			return err
		}
		ts := []Trainee{t}
		if err := s.finishTrainees(ctx, tx, ts); err != nil {
			return err
		}
		t = ts[0]
		details := map[string]any{}
		if (before.RQTH == nil) != (t.RQTH == nil) || (t.RQTH != nil && *before.RQTH != *t.RQTH) {
			details["rqth_changed"] = true
		}
		if err := audit(ctx, tx, actor, "update", "trainee", t.ID, &t.OrganisationID, details); err != nil {
			return err
		}
		return s.enqueueMatch(ctx, tx, t.ID)
	})
	return t, wrap("update trainee", err)
}

// enqueueMatch asks, in tx, for trainee id's suggestions to be recomputed.
func (s *Store) enqueueMatch(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	_, err := s.enqueueMatchTx(ctx, tx, id)
	return err
}

// enqueueMatchTx is enqueueMatch returning the job that will see the change.
// An identical job already running may have read the trainee before this
// change; so may one still available, which a worker can take before this
// transaction commits. Either gets a follow-up naming it (After), scheduled a
// moment later so that it cannot start before the commit; a follow-up found
// in the same position is followed up in turn.
func (s *Store) enqueueMatchTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*rivertype.JobRow, error) {
	res, err := s.river.InsertTx(ctx, tx, jobargs.MatchTrainee{TraineeID: id}, nil)
	for range 5 {
		if err != nil || !mayMissTheChange(res) {
			break
		}
		res, err = s.river.InsertTx(ctx, tx, jobargs.MatchTrainee{TraineeID: id, After: res.Job.ID},
			&river.InsertOpts{ScheduledAt: time.Now().Add(followUpDelay)})
	}
	return jobOf(res), err
}

// followUpDelay is how long a follow-up waits before it may run: more than a
// write takes from its enqueue to its commit.
const followUpDelay = 200 * time.Millisecond

// mayMissTheChange tells whether an insert inside a write was skipped for a
// job that may read the trainee before the write commits.
func mayMissTheChange(res *rivertype.JobInsertResult) bool {
	return res.UniqueSkippedAsDuplicate &&
		(res.Job.State == rivertype.JobStateRunning || res.Job.State == rivertype.JobStateAvailable)
}

// followUpNeeded tells whether an insert was skipped for a job that is
// already running, and so may have read the trainee before this change.
func followUpNeeded(res *rivertype.JobInsertResult) bool {
	return res.UniqueSkippedAsDuplicate && res.Job.State == rivertype.JobStateRunning
}

func jobOf(res *rivertype.JobInsertResult) *rivertype.JobRow {
	if res == nil {
		return nil
	}
	return res.Job
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
