// Package matching is Passerelle's domain core: given a trainee's matching
// profile and offers, it returns the eligible offers with a score from 0 to
// 100 and the reasons behind it, deterministically: the same input gives the
// same output, order included.
//
// It owns the hard rules (Check), the score and its reasons (Score), and the
// in-memory index that finds a trainee's matches among many offers without
// looking at all of them (Index, held to the brute-force MatchAll, which
// returns exactly the same). The store loads profiles and offers, the jobs
// turn matches into suggested proposals; this package only computes.
//
// # What it must not do
//
// No I/O: no database, no network, no files, no logging, no clock (the caller
// passes now), no global state but read-only tables. It imports nothing of
// Passerelle. It never puts a trainee's birth date or disability status in a
// Reason: RQTH only lifts the apprenticeship age limit and weighs in the
// accessibility component, whose text describes the workplace alone.
//
// # Hard rules
//
// Check applies them in this order and returns the first that fails:
//
//   - RuleKind: the offer's kind is one of WantedKinds (compared exactly);
//     empty WantedKinds wants every kind.
//   - RuleStatus: the offer's status is "published".
//   - RulePositions: it has positions left.
//   - RuleExpired: ExpiresAt is zero or after now.
//   - RuleDistance: the great-circle distance from home is at most RadiusKm,
//     unless the offer is fully remote (Remote "full").
//   - RuleAvailability: an availability window overlaps the offer's period,
//     from Start (now when zero) to End (open when zero), in calendar days
//     with both ends included. Days before today do not count: a window
//     entirely in the past overlaps nothing. No windows: available from today.
//   - RuleWeeklyHours: when both are set, the offer's weekly hours do not
//     exceed the trainee's maximum. (Not in DESIGN.md's list; a trainee who
//     can work 20 hours a week cannot take a 35-hour contract.)
//   - RuleAge: the age in whole years on the offer's first day (today when
//     Start is zero) is within the offer's MinAge and MaxAge (0: no bound),
//     intersected for an apprenticeship with the legal 16–29; with RQTH an
//     apprenticeship has no upper bound at all, the offer's own MaxAge
//     included. A birthday on 29 February is reached on 1 March in other
//     years. An unknown (zero) birth date fails any bound.
//   - RuleMinor: a trainee under 18 at the start only where the offer is
//     open to minors; an unknown birth date counts as a minor.
//   - RuleExcluded: the offer is not in the trainee's Excluded set.
//
// Calendar days are read from each time in its own location: pass now in
// the zone days are counted in (Europe/Paris), dates as stored (a DATE column
// read as midnight UTC gives its own day).
//
// # Score
//
// Score sums five components, each reported as a Reason whose Points are an
// integer; each component is rounded on its own (half up, math.Round for the
// distance), so the Score is exactly the sum of its reasons' points.
//
//	component       code           points
//	ROME            rome           35 exact code, 20 same family (first 3 characters,
//	                               "M18"), 10 same domain letter, 0 none — the best
//	                               pair of an offer code and a wanted code, ASCII
//	                               case ignored
//	skills          skills         30: 20 × required coverage + 10 × optional coverage
//	distance        distance       15 at home, linearly down to 0 at the radius;
//	                               15 for a fully remote offer
//	start date      start_date     10 when the offer starts within 14 days (either
//	                               way) of the trainee's first day of availability
//	                               from today, linearly down to 0 at 120 days
//	accessibility   accessibility  10, but 0 for a trainee with RQTH when the
//	                               workplace is not disability-friendly
//
// A list's coverage is the sum of the weights of the skills the trainee has
// among it, divided by its length: a skill weighs 1.0 with an open badge, 0.9
// validated by an adviser, 0.6 declared (any other evidence counts as
// declared). An offer that lists no required (or no optional) skill gives
// that part in full. Skill names are compared in lower case, without
// diacritics (é → e, œ → oe) and with white space collapsed; punctuation
// counts ("C++" is not "C"). A skill in both of an offer's lists is required.
//
// # Order and bounds
//
// Matches come best score first, then nearest, then by offer ID bytes (then
// by position in the input, for duplicate IDs). Options keep those with a
// Score ≥ Threshold, at most TopN of them (0: all).
//
// # The index
//
// An Index partitions offers by kind and, in each kind, sorts them into
// latitude bands of 0.05° and by longitude within a band. A trainee's radius
// covers a range of bands and, in each, a range of longitudes
// (asin(sin(r/R)/cos(lat)) either way, across the antimeridian too): a binary
// search and a contiguous run per band. Fully remote offers and offers whose
// location is not a valid coordinate are kept aside and checked for every
// trainee who wants their kind. The bounds are widened by a metre so that
// the index never misses an offer the exact rule would accept; Check then
// decides.
//
// Among those candidates, once TopN matches are kept (or below a threshold),
// an offer whose best possible score cannot reach the worst kept is skipped:
// first on its ROME and accessibility points alone, then on its score but
// for the distance, then before the dated rules. Skill names and ROME codes
// are numbered when the index is built, and each Match makes small tables of
// the trainee's skill weights and ROME likeness, so the hot path compares
// integers and allocates nothing but the results. None of this changes a
// result: Index.Match returns exactly what MatchAll returns, which the tests
// check on random datasets and the fuzz test on arbitrary ones.
package matching
