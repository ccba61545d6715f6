package matching

import (
	"time"

	"github.com/google/uuid"
)

// Point is a place on Earth in WGS 84 degrees.
type Point struct{ Lat, Lon float64 }

// Evidence says how a trainee's skill is known.
type Evidence string

// Evidence levels, from the weakest. Any other value counts as declared.
const (
	EvidenceDeclared         Evidence = "declared"
	EvidenceAdviserValidated Evidence = "adviser_validated"
	EvidenceOpenBadge        Evidence = "open_badge"
)

// Skill is one skill of a trainee and how it is known.
type Skill struct {
	Name     string
	Evidence Evidence
}

// Window is a period of availability in calendar days, both ends included. A
// zero From is "since ever", a zero To is open-ended.
type Window struct{ From, To time.Time }

// Trainee is a trainee's matching profile: what the rules and the score read
// of them, nothing of their identity but the birth date.
type Trainee struct {
	ID        uuid.UUID
	BirthDate time.Time // zero: unknown (see Check)
	Home      Point
	RadiusKm  float64 // mobility radius
	// WantedKinds are offer kinds (apprenticeship, professionalisation,
	// internship, immersion, job, discovery); empty wants every kind.
	WantedKinds []string
	WantedROME  []string // ROME codes like "M1805"
	Skills      []Skill
	Languages   []string // not used by the rules nor the score yet
	// Availability is when the trainee can start; empty is any time from now.
	Availability   []Window
	MaxWeeklyHours float64 // 0: no limit
	// RQTH is true only while an rqth consent is recorded. It is used for
	// the apprenticeship age exception and the accessibility component, and
	// never appears in a Reason.
	RQTH bool
	// Excluded are offers dismissed or declined for this trainee.
	Excluded map[uuid.UUID]bool
}

// Offer is an offer as the matcher sees it.
type Offer struct {
	ID                             uuid.UUID
	Kind                           string
	Status                         string // only "published" is eligible
	ROME                           []string
	RequiredSkills, OptionalSkills []string
	Location                       Point
	Remote                         string // none | partial | full
	// Start and End are calendar days; a zero Start is "as soon as
	// possible" (now), a zero End is open-ended.
	Start, End         time.Time
	WeeklyHours        float64 // 0: not set
	PositionsLeft      int
	MinAge, MaxAge     int // 0: no bound
	OpenToMinors       bool
	DisabilityFriendly bool
	ExpiresAt          time.Time // zero: none
}

// Reason is one score component: its code, the points it gave and a short
// English text an adviser can read. A Detail describes the offer and the
// trainee's wishes and skills; never their birth date or disability status.
type Reason struct {
	Code   string
	Points int
	Detail string
}

// Reason codes, one per score component, in the order Reasons lists them.
const (
	ReasonROME          = "rome"
	ReasonSkills        = "skills"
	ReasonDistance      = "distance"
	ReasonStartDate     = "start_date"
	ReasonAccessibility = "accessibility"
)

// ReasonCodes are the reason codes, in the order Reasons lists them.
var ReasonCodes = []string{ReasonROME, ReasonSkills, ReasonDistance, ReasonStartDate, ReasonAccessibility}

// The weights of the score components: the most points each can give. They
// add up to 100.
const (
	WeightROME          = 35
	WeightSkills        = 30 // required skills 20, optional 10
	WeightDistance      = 15
	WeightStartDate     = 10
	WeightAccessibility = 10
)

// Match is an eligible offer for a trainee: its score, the sum of its
// reasons' points, and how far it is from the trainee's home.
type Match struct {
	OfferID    uuid.UUID
	Score      int
	DistanceKm float64
	Reasons    []Reason
}

// Options bound a match's results: the matches with Score ≥ Threshold, the
// TopN best of them (0: all).
type Options struct {
	TopN      int
	Threshold int
}

// Rule names a hard rule: Check returns the first that fails.
type Rule string

// The hard rules, in the order Check applies them.
const (
	RuleKind         Rule = "kind"         // the offer's kind is one the trainee wants
	RuleStatus       Rule = "status"       // the offer is published
	RulePositions    Rule = "positions"    // it has positions left
	RuleExpired      Rule = "expired"      // it has not expired
	RuleDistance     Rule = "distance"     // within the mobility radius, unless fully remote
	RuleAvailability Rule = "availability" // the trainee is available during the offer
	RuleWeeklyHours  Rule = "weekly_hours" // the offer's hours fit the trainee's maximum
	RuleAge          Rule = "age"          // the trainee's age at the start is within bounds
	RuleMinor        Rule = "minor"        // a minor only where the offer is open to minors
	RuleExcluded     Rule = "excluded"     // the pair was not dismissed or declined before
)

// Values of Offer fields the rules read.
const (
	kindApprenticeship = "apprenticeship"
	statusPublished    = "published"
	remoteFull         = "full"
)

// Legal age bounds of an apprenticeship, and majority.
const (
	apprenticeshipMinAge = 16
	apprenticeshipMaxAge = 29
	majority             = 18
)
