package demo

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// story brings one trainee to where the dataset says, from wherever they are.
type story struct {
	l        *loader
	p        Programme
	t        Trainee
	org      uuid.UUID
	staff    passerelle.Principal
	referent uuid.UUID
	cohort   store.Cohort
	company  uuid.UUID
	offer    uuid.UUID
	contact  Company
	trainee  uuid.UUID
}

// companyMoves are the statuses the company moves a proposal to.
var companyMoves = []string{store.ProposalInterview, store.ProposalAccepted, store.ProposalDeclinedByCompany}

// exitDate is when the trainee left the programme, nil for those still in it:
// relative to the cohort, so that a second load computes the same.
func (s *story) exitDate() *time.Time {
	switch s.t.Story {
	case Completed:
		d := s.l.month.AddDate(0, -7, 0)
		return &d
	case DroppedOut:
		d := s.l.month.AddDate(0, -8, 0)
		return &d
	case BackToSchool:
		d := s.cohort.EndDate
		return &d
	}
	return nil
}

func (s *story) input() store.TraineeInput {
	birth, _ := time.Parse(time.DateOnly, s.t.Birth)
	skills := make([]store.TraineeSkill, len(s.t.Skills))
	for i, name := range s.t.Skills {
		skills[i] = store.TraineeSkill{Name: name, Evidence: store.EvidenceAdviserValidated}
		if name == s.t.BadgeSkill {
			skills[i].Evidence, skills[i].BadgeURL = store.EvidenceOpenBadge, "https://badges.example.org/assertions/demo-"+s.t.First
		}
	}
	radius := 20
	if s.p.Kind == "cfa" {
		radius = 30
	}
	return store.TraineeInput{
		CohortID: &s.cohort.ID, ReferentID: s.referent,
		Identity: store.TraineeIdentity{FirstName: s.t.First, LastName: s.t.Last, BirthDate: birth,
			Email: slug(s.t.First) + "." + slug(s.t.Last) + "@exemple.invalid", Phone: "+33 6 00 00 00 00"},
		Profile: store.TraineeProfile{HomePostalCode: s.t.PostalCode, MobilityRadiusKm: radius,
			TransportModes: []string{"public_transport", "bike"}, WantedKinds: s.t.Kinds, WantedROMECodes: s.t.ROME,
			Skills: skills, Languages: []string{"fr"}, Availability: []store.Window{{From: s.cohort.StartDate}}},
	}
}

// slug lowers a name to ASCII letters for a fictional e-mail address.
func slug(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out = append(out, r)
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		case slices.Contains([]rune("éèêë"), r):
			out = append(out, 'e')
		case slices.Contains([]rune("ïî"), r):
			out = append(out, 'i')
		case slices.Contains([]rune("àâ"), r):
			out = append(out, 'a')
		}
	}
	return string(out)
}

// run applies the story; isNew says whether the trainee was created now.
func (s *story) run(ctx context.Context) (isNew bool, err error) {
	in := s.input()
	var status string
	ok, err := s.l.find(ctx, `SELECT id, status FROM trainees WHERE organisation_id = $1 AND first_name = $2 AND last_name = $3
		AND birth_date = $4`, []any{s.org, in.Identity.FirstName, in.Identity.LastName, in.Identity.BirthDate}, &s.trainee, &status)
	if err != nil {
		return false, err
	}
	if !ok {
		t, err := s.l.st.CreateTrainee(ctx, s.staff, s.org, in)
		if err != nil {
			return false, err
		}
		s.trainee, status, isNew = t.ID, t.Status, true
	}
	if err := s.consent(ctx, store.ConsentMatching, nil); err != nil {
		return isNew, err
	}
	if path := paths[s.t.Story]; len(path) > 0 {
		if err := s.propose(ctx, path); err != nil {
			return isNew, err
		}
	}
	if exit := s.exitDate(); exit != nil && status != store.TraineeExited {
		// Read the status again: placing made the trainee placed.
		t, err := s.l.st.GetTrainee(ctx, s.staff, s.trainee)
		if err != nil {
			return isNew, err
		}
		in.Status, in.ExitDate, in.ExitReason = store.TraineeExited, exit, map[Story]string{
			Completed: "fin de parcours, en emploi", DroppedOut: "abandon", BackToSchool: "fin de parcours, reprise de formation"}[s.t.Story]
		if _, err := s.l.st.UpdateTrainee(ctx, s.staff, s.trainee, &t.Version, in); err != nil {
			return isNew, err
		}
	}
	return isNew, nil
}

// consent records the trainee's consent of scope (for offer) unless active.
func (s *story) consent(ctx context.Context, scope string, offer *uuid.UUID) error {
	var exists bool
	if err := s.l.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM consents WHERE trainee_id = $1 AND scope = $2
		AND offer_id IS NOT DISTINCT FROM $3 AND withdrawn_at IS NULL)`, s.trainee, scope, offer).Scan(&exists); err != nil || exists {
		return err
	}
	_, err := s.l.st.RecordConsent(ctx, s.staff, s.trainee, store.ConsentInput{Scope: scope, OfferID: offer,
		Note: "recueilli en entretien (démo)"})
	return err
}

// propose creates the proposal and moves it along path from where it is.
func (s *story) propose(ctx context.Context, path []string) error {
	var id uuid.UUID
	var status string
	ok, err := s.l.find(ctx, `SELECT id, status FROM proposals WHERE trainee_id = $1 AND offer_id = $2`,
		[]any{s.trainee, s.offer}, &id, &status)
	if err != nil {
		return err
	}
	if !ok {
		p, err := s.l.st.CreateProposal(ctx, s.staff, store.ProposalInput{TraineeID: s.trainee, OfferID: s.offer,
			Reason: "profil repéré en entretien"})
		if err != nil {
			return err
		}
		id, status = p.ID, p.Status
	}
	// The company learns who the candidate is once they meet: reveal for
	// those who go to interview or further.
	if slices.Contains(path, store.ProposalInterview) || slices.Contains(path, store.ProposalAccepted) {
		if err := s.consent(ctx, store.ConsentRevealIdentity, &s.offer); err != nil {
			return err
		}
	}
	company := passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: s.company}
	for i := slices.Index(path, status) + 1; i < len(path); i++ {
		actor := s.staff
		if slices.Contains(companyMoves, path[i]) {
			actor = company
		}
		if _, err := s.l.st.TransitionProposal(ctx, actor, id, nil, store.TransitionInput{To: path[i], Reason: "démo"}); err != nil {
			return err
		}
	}
	if path[len(path)-1] == store.ProposalPlaced {
		return s.placement(ctx, id)
	}
	return nil
}

// placement names the tutor and, for a completed story, dates and ends it.
func (s *story) placement(ctx context.Context, proposal uuid.UUID) error {
	var id uuid.UUID
	var outcome *string
	var tutor string
	if _, err := s.l.find(ctx, `SELECT id, outcome, tutor_name FROM placements WHERE proposal_id = $1`, []any{proposal}, &id, &outcome, &tutor); err != nil {
		return err
	}
	if outcome != nil {
		return nil
	}
	u := store.PlacementUpdate{}
	if tutor == "" {
		u.TutorName, u.TutorRole = &s.contact.ContactName, &s.contact.ContactRole
	}
	exit := s.exitDate()
	if s.t.Story == Completed {
		u.StartDate, u.EndDate = ptr(s.cohort.StartDate.AddDate(0, 1, 0)), exit
	}
	if u != (store.PlacementUpdate{}) {
		if _, err := s.l.st.UpdatePlacement(ctx, s.staff, id, nil, u); err != nil {
			return err
		}
	}
	if s.t.Story == Completed {
		_, err := s.l.st.EndPlacement(ctx, s.staff, id, nil, store.PlacementEnd{Outcome: store.OutcomeCompleted, EndDate: exit})
		return err
	}
	return nil
}

// situations are what the advisers heard at 1, 3 and 6 months.
var situations = map[Story]map[int]store.FollowupInput{
	Completed: {1: {Situation: store.SituationEmployed, ContractType: "cdd"}, 3: {Situation: store.SituationEmployed, ContractType: "cdd"},
		6: {Situation: store.SituationEmployed, ContractType: "cdi", Note: "CDI signé dans l'entreprise d'accueil"}},
	DroppedOut: {1: {Situation: store.SituationNoContact}, 3: {Situation: store.SituationJobSeeking},
		6: {Situation: store.SituationJobSeeking, Note: "inscrit·e à France Travail"}},
	BackToSchool: {1: {Situation: store.SituationJobSeeking}, 3: {Situation: store.SituationTraining},
		6: {Situation: store.SituationTraining, Note: "BTS en alternance"}},
}

// followUp records the due, unrecorded follow-ups of a trainee who left.
func (l *loader) followUp(ctx context.Context, e exited) error {
	rows, err := l.st.Pool().Query(ctx, `SELECT id, month FROM followups WHERE trainee_id = $1 AND situation IS NULL`, e.trainee)
	if err != nil {
		return err
	}
	type due struct {
		id    uuid.UUID
		month int
	}
	var pending []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.month); err != nil {
			return err
		}
		pending = append(pending, d)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	staff := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: e.org}
	for _, d := range pending {
		if _, err := l.st.RecordFollowup(ctx, staff, d.id, nil, situations[e.story][d.month]); err != nil {
			return err
		}
	}
	return nil
}
