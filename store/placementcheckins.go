package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// The programme asks the company three short questions at 1, 3 and 6 months
// of a placement: is the trainee still there, how is it going, anything to
// add. The company answers (its users in the console, an admin); the
// programme reads the answers. A question is due from its month on, while
// the placement lasts (or up to its end date).

// CheckinMonths are the months of a placement at which the company is asked.
var CheckinMonths = []int{1, 3, 6}

// How a placement is going, in the company's words.
const (
	GoingWell                = "well"
	GoingSomeDifficulties    = "some_difficulties"
	GoingSeriousDifficulties = "serious_difficulties"
)

// GoingAnswers lists the answers, best first.
var GoingAnswers = []string{GoingWell, GoingSomeDifficulties, GoingSeriousDifficulties}

// PlacementCheckin is the company's answer at one month.
type PlacementCheckin struct {
	ID          uuid.UUID
	PlacementID uuid.UUID
	Month       int
	StillThere  bool
	Going       string
	Note        string
	AnsweredAt  time.Time
}

// CheckinInput is the company's answer.
type CheckinInput struct {
	Month      int
	StillThere *bool
	Going      string
	Note       string
}

// CheckinDue is when the question of month is asked for a placement that
// started on start: month months later.
func CheckinDue(start time.Time, month int) time.Time { return start.AddDate(0, month, 0) }

// DueCheckins are the months whose questions are due on today and not yet
// answered, for placement l with answers.
func DueCheckins(l Placement, answers []PlacementCheckin, today time.Time) []int {
	var out []int
	for _, m := range CheckinMonths {
		due := CheckinDue(l.StartDate, m)
		if due.After(today) || (l.EndDate != nil && l.Outcome != nil && due.After(*l.EndDate)) {
			continue
		}
		if !slices.ContainsFunc(answers, func(a PlacementCheckin) bool { return a.Month == m }) {
			out = append(out, m)
		}
	}
	return out
}

// ListPlacementCheckins returns the answers of a placement actor may read,
// by month.
func (s *Store) ListPlacementCheckins(ctx context.Context, actor passerelle.Principal, placementID uuid.UUID) ([]PlacementCheckin, error) {
	if _, err := getPlacement(ctx, s.pool, actor, placementID, false); err != nil {
		return nil, wrap("list placement check-ins", err)
	}
	out, err := listCheckins(ctx, s.pool, placementID)
	return out, wrap("list placement check-ins", err)
}

func listCheckins(ctx context.Context, db querier, placementID uuid.UUID) ([]PlacementCheckin, error) {
	rows, err := db.Query(ctx, `SELECT id, placement_id, month, still_there, going, note, answered_at
		FROM placement_checkins WHERE placement_id = $1 ORDER BY month`, placementID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PlacementCheckin, error) {
		var c PlacementCheckin
		return c, r.Scan(&c.ID, &c.PlacementID, &c.Month, &c.StillThere, &c.Going, &c.Note, &c.AnsweredAt)
	})
}

// AnswerPlacementCheckin records the company's answer to the question of
// in.Month for a placement it may read. Only the company (and admins)
// answer; the question must be due (today by the database's calendar in
// Paris) and not answered yet (a conflict otherwise).
func (s *Store) AnswerPlacementCheckin(ctx context.Context, actor passerelle.Principal, placementID uuid.UUID, in CheckinInput) (PlacementCheckin, error) {
	if actor.Role != passerelle.RoleCompany && !actor.IsAdmin() {
		return PlacementCheckin{}, passerelle.Errorf(passerelle.EForbidden, "The company answers its placement's follow-up questions.")
	}
	in.Note = strings.TrimSpace(in.Note)
	var fields []passerelle.FieldError
	if !slices.Contains(CheckinMonths, in.Month) {
		fields = append(fields, passerelle.FieldError{Location: "month", Message: "must be 1, 3 or 6", Value: in.Month})
	}
	if in.StillThere == nil {
		fields = append(fields, passerelle.FieldError{Location: "still_there", Message: "required"})
	}
	if !slices.Contains(GoingAnswers, in.Going) {
		fields = append(fields, passerelle.FieldError{Location: "going", Message: "must be one of " + strings.Join(GoingAnswers, ", "), Value: in.Going})
	}
	if len(in.Note) > 2000 {
		fields = append(fields, passerelle.FieldError{Location: "note", Message: "at most 2000 characters", Value: len(in.Note)})
	}
	if len(fields) > 0 {
		return PlacementCheckin{}, passerelle.Invalid("The answer cannot be saved as described.", fields...)
	}
	var c PlacementCheckin
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		l, err := getPlacement(ctx, tx, actor, placementID, true)
		if err != nil {
			return err
		}
		answers, err := listCheckins(ctx, tx, placementID)
		if err != nil {
			return err
		}
		var today time.Time
		if err := tx.QueryRow(ctx, `SELECT `+parisToday).Scan(&today); err != nil {
			return err
		}
		if !slices.Contains(DueCheckins(l, answers, today), in.Month) {
			return passerelle.Errorf(passerelle.EConflict, "The question of month %d is not due, or is already answered.", in.Month)
		}
		err = tx.QueryRow(ctx, `INSERT INTO placement_checkins (id, placement_id, month, still_there, going, note, answered_by_role)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, placement_id, month, still_there, going, note, answered_at`,
			uuid.New(), placementID, in.Month, *in.StillThere, in.Going, in.Note, actor.Role).
			Scan(&c.ID, &c.PlacementID, &c.Month, &c.StillThere, &c.Going, &c.Note, &c.AnsweredAt)
		if uniqueViolation(err, "placement_checkins_once") {
			return passerelle.Errorf(passerelle.EConflict, "The question of month %d is already answered.", in.Month)
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "answer_checkin", "placement", placementID, &l.OrganisationID,
			map[string]any{"month": in.Month, "still_there": *in.StillThere, "going": in.Going})
	})
	if errors.Is(err, pgx.ErrNoRows) {
		err = notFound("Placement")
	}
	return c, wrap("answer placement check-in", err)
}
