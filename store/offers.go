package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
)

// Offer kinds.
const (
	KindApprenticeship      = "apprenticeship"
	KindProfessionalisation = "professionalisation"
	KindInternship          = "internship" // stage
	KindImmersion           = "immersion"  // PMSMP
	KindJob                 = "job"
	KindDiscovery           = "discovery" // company visit
)

// OfferKinds lists the kinds in the order documentation shows them.
var OfferKinds = []string{KindApprenticeship, KindProfessionalisation, KindInternship, KindImmersion, KindJob, KindDiscovery}

// Offer statuses: draft → published ⇄ paused → filled | closed | expired.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusPaused    = "paused"
	StatusFilled    = "filled"
	StatusClosed    = "closed"
	StatusExpired   = "expired"
)

// OfferStatuses lists the statuses in the order of an offer's life.
var OfferStatuses = []string{StatusDraft, StatusPublished, StatusPaused, StatusFilled, StatusClosed, StatusExpired}

// Offer is an apprenticeship, internship, immersion… posted by a company.
type Offer struct {
	ID                 uuid.UUID
	CompanyID          uuid.UUID
	CompanyName        string // joined for reads and the search document
	Kind               string
	Title              string
	Description        string
	ROMECodes          []string
	RequiredSkills     []string
	OptionalSkills     []string
	Street             string
	PostalCode         string
	INSEECode          string
	Town               string
	Latitude           float64
	Longitude          float64
	Remote             string // none | partial | full
	StartDate          *time.Time
	EndDate            *time.Time
	DurationWeeks      *int
	WeeklyHours        *float64
	Positions          int
	PositionsFilled    int
	MinAge             *int
	MaxAge             *int
	OpenToMinors       bool
	DisabilityFriendly bool
	QualificationLevel string
	Status             string
	PublishedAt        *time.Time
	ExpiresAt          *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

// OfferInput is what a writer sets. Coordinates are optional: without them
// the offer is geocoded from its postal code.
type OfferInput struct {
	CompanyID          uuid.UUID
	Kind               string
	Title              string
	Description        string
	ROMECodes          []string
	RequiredSkills     []string
	OptionalSkills     []string
	Street             string
	PostalCode         string
	Latitude           *float64
	Longitude          *float64
	Remote             string
	StartDate          *time.Time
	EndDate            *time.Time
	DurationWeeks      *int
	WeeklyHours        *float64
	Positions          int
	MinAge             *int
	MaxAge             *int
	OpenToMinors       bool
	DisabilityFriendly bool
	QualificationLevel string
	// INSEECode picks one of the communes sharing PostalCode; "" lets the
	// reference choose (the one its coordinates are taken from).
	INSEECode string
}

// offerColumns are read from the offer_rows view (offers joined with their
// company's name), so that list queries keep single-table column names.
const offerColumns = `id, company_id, company_name, kind, title, description, rome_codes, required_skills, optional_skills,
	street, postal_code, insee_code, town, latitude, longitude, remote, start_date, end_date, duration_weeks,
	weekly_hours::float8, positions, positions_filled, min_age, max_age, open_to_minors, disability_friendly,
	qualification_level, status, published_at, expires_at, created_at, updated_at, version`

func scanOffer(row pgx.Row) (Offer, error) {
	var o Offer
	err := row.Scan(offerDest(&o)...)
	return o, err
}

// offerDest are the scan destinations of offerColumns.
func offerDest(o *Offer) []any {
	return []any{&o.ID, &o.CompanyID, &o.CompanyName, &o.Kind, &o.Title, &o.Description, &o.ROMECodes,
		&o.RequiredSkills, &o.OptionalSkills, &o.Street, &o.PostalCode, &o.INSEECode, &o.Town, &o.Latitude,
		&o.Longitude, &o.Remote, &o.StartDate, &o.EndDate, &o.DurationWeeks, &o.WeeklyHours, &o.Positions,
		&o.PositionsFilled, &o.MinAge, &o.MaxAge, &o.OpenToMinors, &o.DisabilityFriendly, &o.QualificationLevel,
		&o.Status, &o.PublishedAt, &o.ExpiresAt, &o.CreatedAt, &o.UpdatedAt, &o.Version}
}

// prefixed qualifies each of columns (a comma-separated list) with table.
func prefixed(table, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = table + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// Searchable reports whether an offer belongs in the search index: advisers
// find published offers, and a company also its own drafts and paused ones.
// Filled, closed and expired offers leave the index.
func (o Offer) Searchable() bool {
	return o.Status == StatusDraft || o.Status == StatusPublished || o.Status == StatusPaused
}

// Qualification levels an offer may target, from the national framework of
// professional certifications (Cadre national des certifications).
const (
	LevelNone   = "none"    // no diploma required
	LevelCAPBEP = "cap_bep" // level 3
	LevelBac    = "bac"     // level 4
	LevelBac2   = "bac_2"   // level 5: BTS, DUT
	LevelBac3   = "bac_3"   // level 6: licence, BUT
	LevelBac5   = "bac_5"   // level 7: master
)

// QualificationLevels lists the levels, lowest first.
var QualificationLevels = []string{LevelNone, LevelCAPBEP, LevelBac, LevelBac2, LevelBac3, LevelBac5}

// Remote work.
const (
	RemoteNone    = "none"
	RemotePartial = "partial"
	RemoteFull    = "full"
)

// RemoteModes lists the remote modes, none first.
var RemoteModes = []string{RemoteNone, RemotePartial, RemoteFull}

// Limits the schema also states; the store checks them for every caller.
const (
	MaxROMECodes        = 3
	MaxSkills           = 30
	MaxSkillLength      = 100
	ApprenticeshipAge   = 16 // the youngest age an apprenticeship offer may name
	AgeOfMajority       = 18
	OfferLifetimeDays   = 60 // publication to expiry
	ExpiryReminderAhead = 7 * 24 * time.Hour
)

// offerReadScope restricts offers to what actor may read: all for an admin;
// its own, in any status, for a company; published offers of any company and
// every offer of the organisation's partner companies for an adviser or
// integrator.
// It is offerWriteScope widened, for advisers and integrators, to published
// offers: one place says who works with which company.
func offerReadScope(actor passerelle.Principal, args pgx.NamedArgs) string {
	write := offerWriteScope(actor, args)
	if actor.Role == passerelle.RoleAdviser || actor.Role == passerelle.RoleIntegrator {
		return `(status = 'published' OR ` + write + `)`
	}
	return write
}

// offerWriteScope restricts offers to those actor may change: a company its
// own, an adviser or integrator its organisation's active partners' (any
// active partner writes on the company's behalf), an admin all.
func offerWriteScope(actor passerelle.Principal, args pgx.NamedArgs) string {
	switch actor.Role {
	case passerelle.RoleAdmin:
		return `true`
	case passerelle.RoleCompany:
		args["scope_company"] = actor.CompanyID
		return `company_id = @scope_company`
	default:
		args["scope_org"] = actor.OrganisationID
		return `company_id IN ` + activePartners("scope_org")
	}
}

// offerReturning turns a statement on offers into one that answers like
// offer_rows: stmt's RETURNING * joined with the company's name, in one round
// trip.
func offerReturning(stmt string) string {
	return `WITH o AS (` + stmt + ` RETURNING *)
		SELECT ` + offerColumns + ` FROM (SELECT o.*, c.name AS company_name FROM o JOIN companies c ON c.id = o.company_id) r`
}

// lockOffer reads an offer actor may change and locks it for the
// transaction. An offer actor may read but not change is EForbidden (its
// existence is no secret to actor); any other is not found.
func lockOffer(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, id uuid.UUID) (Offer, error) {
	args := pgx.NamedArgs{"id": id}
	o, err := scanOffer(tx.QueryRow(ctx, `SELECT `+offerColumns+` FROM (SELECT o.*, c.name AS company_name
		FROM offers o JOIN companies c ON c.id = o.company_id WHERE o.id = @id FOR UPDATE OF o) r
		WHERE `+offerWriteScope(actor, args), args))
	if !errors.Is(err, pgx.ErrNoRows) {
		return o, err
	}
	args = pgx.NamedArgs{"id": id}
	var visible bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM offers WHERE id = @id AND `+offerReadScope(actor, args)+`)`,
		args).Scan(&visible); err != nil {
		return o, err
	}
	if visible {
		return o, passerelle.Errorf(passerelle.EForbidden,
			"Only the company and the advisers and integrators of its partner organisations may change this offer.")
	}
	return o, notFound("Offer")
}

// offerCompany is the company a new offer is posted for: a company key's own
// (company_id may be omitted), an active partner of an adviser's or integrator's
// organisation, any company for an admin. Any other is not found (check nil).
// queue adds the permission's read to the transaction's opening batch, and
// check reads it, in order, before the offer's own results.
func offerCompany(actor passerelle.Principal, requested uuid.UUID) (company uuid.UUID, check func(pgx.BatchResults) error, queue func(*pgx.Batch)) {
	switch actor.Role {
	case passerelle.RoleCompany:
		if requested != uuid.Nil && requested != actor.CompanyID {
			return uuid.Nil, nil, nil
		}
		return actor.CompanyID, func(pgx.BatchResults) error { return nil }, func(*pgx.Batch) {}
	case passerelle.RoleAdmin:
		// Any company; one that does not exist fails the offer's foreign key.
		return requested, func(pgx.BatchResults) error { return nil }, func(*pgx.Batch) {}
	default:
		queue = func(b *pgx.Batch) { b.Queue(companyLinkSQL, actor.OrganisationID, requested) }
		check = func(br pgx.BatchResults) error {
			var link passerelle.CompanyLink
			if err := br.QueryRow().Scan(&link.Status, &link.Steward); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return decideCompanyAct(actor, requested, link, passerelle.WriteOffers,
				"This organisation may not write this company's offers.")
		}
		return requested, check, queue
	}
}

// offerArgs checks an offer's content — what the request schema cannot say:
// cross-field rules, reference data, trimming — and returns the named
// arguments of its writable columns. Every bad field is reported, not only
// the first. needCompany is whether company_id must be given.
func offerArgs(in OfferInput, needCompany bool) (pgx.NamedArgs, error) {
	var fields []passerelle.FieldError
	bad := func(loc, msg string, value any) {
		fields = append(fields, passerelle.FieldError{Location: loc, Message: msg, Value: value})
	}
	if needCompany && in.CompanyID == uuid.Nil {
		bad("company_id", "required: the company the offer is posted for", nil)
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		bad("title", "must not be blank", in.Title)
	}
	if !slices.Contains(OfferKinds, in.Kind) {
		bad("kind", "must be one of "+strings.Join(OfferKinds, ", "), in.Kind)
	}

	// ROME codes: 1 to 3, well-formed, no repeats.
	codes := make([]string, 0, len(in.ROMECodes))
	if len(in.ROMECodes) < 1 || len(in.ROMECodes) > MaxROMECodes {
		bad("rome_codes", fmt.Sprintf("give 1 to %d ROME codes", MaxROMECodes), len(in.ROMECodes))
	}
	for i, c := range in.ROMECodes {
		code, err := reference.ParseROME(c)
		switch {
		case err != nil:
			bad(fmt.Sprintf("rome_codes[%d]", i), passerelle.ErrorMessage(err), c)
		case slices.Contains(codes, code):
			bad(fmt.Sprintf("rome_codes[%d]", i), "repeats "+code, c)
		default:
			codes = append(codes, code)
		}
	}
	required := cleanSkills(in.RequiredSkills, "required_skills", bad)
	optional := cleanSkills(in.OptionalSkills, "optional_skills", bad)

	// Location: the commune comes from the postal code, the coordinates too
	// unless given.
	args := pgx.NamedArgs{"street": strings.TrimSpace(in.Street)}
	if pc, err := reference.ParsePostalCode(in.PostalCode); err != nil {
		bad("postal_code", passerelle.ErrorMessage(err), in.PostalCode)
	} else if place, lat, lon, err := locate(pc, in.INSEECode); err != nil {
		var e *passerelle.Error
		errors.As(err, &e)
		fields = append(fields, e.Fields...)
	} else {
		args["postal_code"], args["insee_code"], args["town"] = pc, place.INSEE, place.Town
		args["latitude"], args["longitude"] = lat, lon
	}
	if (in.Latitude == nil) != (in.Longitude == nil) {
		bad("latitude", "give both latitude and longitude, or neither (the postal code is then geocoded)", in.Latitude)
	} else if in.Latitude != nil {
		if math.Abs(*in.Latitude) > 90 || math.Abs(*in.Longitude) > 180 {
			bad("latitude", "not a WGS 84 point", []float64{*in.Latitude, *in.Longitude})
		}
		args["latitude"], args["longitude"] = *in.Latitude, *in.Longitude
	}
	remote := cmpString(in.Remote, RemoteNone)
	level := cmpString(in.QualificationLevel, LevelNone)

	// Dates: either dates or a duration, or both when they agree.
	var start, end *time.Time
	if in.StartDate != nil {
		start = ptrTo(day(*in.StartDate))
	}
	if in.EndDate != nil {
		end = ptrTo(day(*in.EndDate))
	}
	if end != nil && start == nil {
		bad("end_date", "needs a start_date", end.Format(time.DateOnly))
	}
	if start != nil && end != nil {
		days := int(end.Sub(*start).Hours()/24) + 1 // both days included
		switch {
		case days < 1:
			bad("end_date", "must be on or after start_date", end.Format(time.DateOnly))
		case in.DurationWeeks != nil && abs(*in.DurationWeeks*7-days) >= 7:
			bad("duration_weeks", fmt.Sprintf("disagrees with the dates, which span %d days: give %d or %d weeks, or leave it out",
				days, days/7, (days+6)/7), *in.DurationWeeks)
		}
	}
	if in.DurationWeeks != nil && (*in.DurationWeeks < 1 || *in.DurationWeeks > 208) {
		bad("duration_weeks", "must be between 1 and 208", *in.DurationWeeks)
	}

	// Ages. The apprenticeship upper bound (29) has exceptions per trainee
	// (RQTH), so an offer may name any maximum.
	if in.MinAge != nil && in.MaxAge != nil && *in.MaxAge < *in.MinAge {
		bad("max_age", "must be at least min_age", *in.MaxAge)
	}
	if in.Kind == KindApprenticeship && in.MinAge != nil && *in.MinAge < ApprenticeshipAge {
		bad("min_age", fmt.Sprintf("an apprenticeship starts at %d", ApprenticeshipAge), *in.MinAge)
	}
	if !in.OpenToMinors && in.MaxAge != nil && *in.MaxAge < AgeOfMajority {
		bad("max_age", "below 18 while open_to_minors is false: nobody could apply", *in.MaxAge)
	}
	if in.OpenToMinors && in.MinAge != nil && *in.MinAge >= AgeOfMajority {
		bad("open_to_minors", "true while min_age is 18 or more: no minor could apply", in.OpenToMinors)
	}
	if in.Positions < 1 {
		bad("positions", "must be at least 1", in.Positions)
	}
	if len(fields) > 0 {
		return nil, passerelle.Invalid("The offer cannot be saved as described: see errors for each field at fault.", fields...)
	}
	for k, v := range map[string]any{"company_id": in.CompanyID, "kind": in.Kind, "title": title, "description": in.Description,
		"rome_codes": codes, "required_skills": required, "optional_skills": optional, "remote": remote,
		"start_date": start, "end_date": end, "duration_weeks": in.DurationWeeks, "weekly_hours": in.WeeklyHours,
		"positions": in.Positions, "min_age": in.MinAge, "max_age": in.MaxAge, "open_to_minors": in.OpenToMinors,
		"disability_friendly": in.DisabilityFriendly, "qualification_level": level} {
		args[k] = v
	}
	return args, nil
}

// DefaultCommune is the commune an offer at postal code pc is placed in when
// its INSEE code is not given (forms preselect it).
func DefaultCommune(pc string) (reference.Place, bool) {
	p, _, _, err := locate(pc, "")
	return p, err == nil
}

// locate finds the commune of an offer and its coordinates: the commune named
// by inseeCode among those of the postal code, or by default the one the
// postal code is geocoded to.
func locate(pc, inseeCode string) (reference.Place, float64, float64, error) {
	places := reference.PlacesByPostalCode(pc)
	if len(places) == 0 {
		return reference.Place{}, 0, 0, passerelle.Invalid("Unknown postal code.", passerelle.FieldError{Location: "postal_code",
			Message: "no French commune has this postal code (see GET /v1/reference/places)", Value: pc})
	}
	if inseeCode != "" {
		code := strings.ToUpper(strings.TrimSpace(inseeCode))
		i := slices.IndexFunc(places, func(p reference.Place) bool { return p.INSEE == code })
		if i < 0 {
			return reference.Place{}, 0, 0, passerelle.Invalid("Unknown commune.", passerelle.FieldError{Location: "insee_code",
				Message: "not a commune of postal code " + pc + " (see GET /v1/reference/places)", Value: inseeCode})
		}
		return places[i], places[i].Lat, places[i].Lon, nil
	}
	lat, lon, _ := reference.Geocode(pc)
	best := slices.MaxFunc(places, func(a, b reference.Place) int {
		// The commune whose point the geocoder chose, then the most populous.
		am, bm := a.Lat == lat && a.Lon == lon, b.Lat == lat && b.Lon == lon
		if am != bm {
			if am {
				return 1
			}
			return -1
		}
		return a.Population - b.Population
	})
	return best, lat, lon, nil
}

// cleanSkills trims skills, collapses inner spaces and drops repeats
// (ignoring case); blank or overlong ones are reported.
func cleanSkills(in []string, loc string, bad func(loc, msg string, value any)) []string {
	if len(in) > MaxSkills {
		bad(loc, fmt.Sprintf("at most %d skills", MaxSkills), len(in))
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, s := range in {
		clean := strings.Join(strings.Fields(s), " ")
		switch {
		case clean == "":
			bad(fmt.Sprintf("%s[%d]", loc, i), "must not be blank", s)
		case utf8.RuneCountInString(clean) > MaxSkillLength:
			bad(fmt.Sprintf("%s[%d]", loc, i), fmt.Sprintf("at most %d characters", MaxSkillLength), s)
		case !seen[strings.ToLower(clean)]:
			seen[strings.ToLower(clean)] = true
			out = append(out, clean)
		}
	}
	return out
}

func cmpString(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func ptrTo[T any](v T) *T { return &v }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// CreateOffer posts an offer, as a draft. A company posts its own; an adviser
// or integrator for a partner company of its organisation; an admin for any.
func (s *Store) CreateOffer(ctx context.Context, actor passerelle.Principal, in OfferInput) (Offer, error) {
	args, err := offerArgs(in, actor.Role != passerelle.RoleCompany)
	if err != nil {
		return Offer{}, wrap("create offer", err)
	}
	company, check, queueCheck := offerCompany(actor, in.CompanyID)
	if check == nil {
		return Offer{}, notFound("Company")
	}
	id := uuid.New()
	args["id"], args["company_id"] = id, company
	// The permission check (when the role needs one), the offer and its audit
	// row go with BEGIN in one round trip; a check that fails rolls back
	// what followed it. The audit's details are read from the row just written.
	var o Offer
	err = s.inTxFrom(ctx, func(b *pgx.Batch) {
		queueCheck(b)
		b.Queue(offerReturning(`INSERT INTO offers (id, company_id, kind, title, description,
				rome_codes, required_skills, optional_skills, street, postal_code, insee_code, town, latitude, longitude,
				remote, start_date, end_date, duration_weeks, weekly_hours, positions, min_age, max_age, open_to_minors,
				disability_friendly, qualification_level)
			VALUES (@id, @company_id, @kind, @title, @description, @rome_codes, @required_skills, @optional_skills,
				@street, @postal_code, @insee_code, @town, @latitude, @longitude, @remote, @start_date, @end_date,
				@duration_weeks, @weekly_hours, @positions, @min_age, @max_age, @open_to_minors, @disability_friendly,
				@qualification_level)`), args)
		queueAudit(ctx, b, actor, "create", "offer", id, actorOrganisation(actor),
			`jsonb_build_object('company_id', company_id, 'status', status) FROM offers WHERE id = `, id)
		queuePending(b, id)
	}, func(br pgx.BatchResults) error {
		if err := check(br); err != nil {
			return err
		}
		var err error
		if o, err = scanOffer(br.QueryRow()); err != nil {
			if foreignKeyViolation(err) { // an admin's unknown company
				return notFound("Company")
			}
			return err
		}
		if _, err = br.Exec(); err != nil {
			return err
		}
		_, err = br.Exec()
		return err
	}, func(tx pgx.Tx) error {
		return s.enqueueIndex(ctx, tx)
	})
	return o, wrap("create offer", err)
}

// GetOffer returns an offer actor may read.
func (s *Store) GetOffer(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Offer, error) {
	args := pgx.NamedArgs{"id": id}
	o, err := scanOffer(s.pool.QueryRow(ctx, `SELECT `+offerColumns+` FROM offer_rows
		WHERE id = @id AND `+offerReadScope(actor, args), args))
	if errors.Is(err, pgx.ErrNoRows) {
		return o, notFound("Offer")
	}
	return o, wrap("get offer", err)
}

// OfferFilter narrows a list of offers.
type OfferFilter struct {
	CompanyID uuid.UUID // uuid.Nil for any
	Status    string    // "" for any
}

// ListOffers lists the offers actor may read, as a change feed.
func (s *Store) ListOffers(ctx context.Context, actor passerelle.Principal, f OfferFilter, page Page) ([]Offer, *Cursor, error) {
	args := pgx.NamedArgs{}
	base := `SELECT ` + offerColumns + ` FROM offer_rows WHERE ` + offerReadScope(actor, args)
	if f.CompanyID != uuid.Nil {
		base += ` AND company_id = @company_id`
		args["company_id"] = f.CompanyID
	}
	if f.Status != "" {
		base += ` AND status = @status`
		args["status"] = f.Status
	}
	items, next, err := listPage(ctx, s.pool, base, args, page, scanOffer,
		func(o Offer) Cursor { return Cursor{UpdatedAt: o.UpdatedAt, ID: o.ID} })
	return items, next, wrap("list offers", err)
}

// editable are the statuses in which an offer's content may change.
var editable = []string{StatusDraft, StatusPublished, StatusPaused}

// UpdateOffer replaces an offer's content while it is a draft, published or
// paused. Its company, status, dates of publication and positions filled do
// not change. ifVersion, when not nil, must match the current version.
func (s *Store) UpdateOffer(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in OfferInput) (Offer, error) {
	var o Offer
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := lockOffer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		if !slices.Contains(editable, cur.Status) {
			return passerelle.Errorf(passerelle.EConflict, "The offer is %s: only draft, published and paused offers can change.", cur.Status)
		}
		if in.CompanyID != uuid.Nil && in.CompanyID != cur.CompanyID {
			return passerelle.Invalid("An offer stays with its company: post a new offer for another.",
				passerelle.FieldError{Location: "company_id", Message: "must stay " + cur.CompanyID.String(), Value: in.CompanyID})
		}
		in.CompanyID = cur.CompanyID
		args, err := offerArgs(in, false)
		if err != nil {
			return err
		}
		if in.Positions < cur.PositionsFilled {
			return passerelle.Invalid("The offer cannot have fewer positions than it has filled.",
				passerelle.FieldError{Location: "positions", Message: fmt.Sprintf("at least %d are filled", cur.PositionsFilled), Value: in.Positions})
		}
		args["id"] = id
		o, err = scanOffer(tx.QueryRow(ctx, offerReturning(`UPDATE offers SET kind = @kind, title = @title,
				description = @description, rome_codes = @rome_codes, required_skills = @required_skills,
				optional_skills = @optional_skills, street = @street, postal_code = @postal_code, insee_code = @insee_code,
				town = @town, latitude = @latitude, longitude = @longitude, remote = @remote, start_date = @start_date,
				end_date = @end_date, duration_weeks = @duration_weeks, weekly_hours = @weekly_hours, positions = @positions,
				min_age = @min_age, max_age = @max_age, open_to_minors = @open_to_minors,
				disability_friendly = @disability_friendly, qualification_level = @qualification_level,
				updated_at = now(), version = version + 1
			WHERE id = @id`), args))
		if err != nil {
			return err
		}
		if err := s.queueIndex(ctx, tx, id); err != nil {
			return err
		}
		if o.Status == StatusPublished {
			if err := s.offerMatchingChanged(ctx, tx, id); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actor, "update", "offer", id, actorOrganisation(actor),
			map[string]any{"company_id": o.CompanyID, "changed": changedOfferFields(cur, o)})
	})
	return o, wrap("update offer", err)
}

// changedOfferFields names the fields an update changed, for the audit log.
func changedOfferFields(before, after Offer) []string {
	changed := []string{}
	for _, f := range []struct {
		name string
		a, b any
	}{
		{"kind", before.Kind, after.Kind},
		{"title", before.Title, after.Title},
		{"description", before.Description, after.Description},
		{"rome_codes", before.ROMECodes, after.ROMECodes},
		{"required_skills", before.RequiredSkills, after.RequiredSkills},
		{"optional_skills", before.OptionalSkills, after.OptionalSkills},
		{"location", []any{before.Street, before.PostalCode, before.INSEECode}, []any{after.Street, after.PostalCode, after.INSEECode}},
		{"coordinates", []float64{before.Latitude, before.Longitude}, []float64{after.Latitude, after.Longitude}},
		{"remote", before.Remote, after.Remote},
		{"dates", []any{before.StartDate, before.EndDate, before.DurationWeeks}, []any{after.StartDate, after.EndDate, after.DurationWeeks}},
		{"weekly_hours", before.WeeklyHours, after.WeeklyHours},
		{"positions", before.Positions, after.Positions},
		{"ages", []any{before.MinAge, before.MaxAge, before.OpenToMinors}, []any{after.MinAge, after.MaxAge, after.OpenToMinors}},
		{"disability_friendly", before.DisabilityFriendly, after.DisabilityFriendly},
		{"qualification_level", before.QualificationLevel, after.QualificationLevel},
	} {
		if !reflect.DeepEqual(f.a, f.b) {
			changed = append(changed, f.name)
		}
	}
	return changed
}
