package matching_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/matching"
)

func ExampleIndex_Match() {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	offers := []matching.Offer{{
		ID: uuid.MustParse("6f1c2a1e-0000-4000-8000-000000000001"), Kind: "apprenticeship", Status: "published",
		ROME: []string{"M1805"}, RequiredSkills: []string{"HTML", "CSS"}, OptionalSkills: []string{"Git"},
		Location: matching.Point{Lat: 49.1829, Lon: -0.3707}, // Caen
		Start:    time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), PositionsLeft: 1, MinAge: 16, MaxAge: 29,
	}, {
		ID: uuid.MustParse("6f1c2a1e-0000-4000-8000-000000000002"), Kind: "internship", Status: "published",
		ROME: []string{"M1810"}, Location: matching.Point{Lat: 48.8566, Lon: 2.3522}, // Paris
		Remote: "full", PositionsLeft: 2,
	}}
	ix := matching.NewIndex(offers)

	trainee := matching.Trainee{
		BirthDate: time.Date(2004, 5, 2, 0, 0, 0, 0, time.UTC),
		Home:      matching.Point{Lat: 49.2172, Lon: -0.3684}, // Hérouville-Saint-Clair
		RadiusKm:  25, WantedROME: []string{"M1805"},
		Skills: []matching.Skill{{Name: "html", Evidence: matching.EvidenceOpenBadge},
			{Name: "CSS", Evidence: matching.EvidenceAdviserValidated}},
		Availability: []matching.Window{{From: time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)}},
	}
	for _, m := range ix.Match(trainee, now, matching.Options{TopN: 10, Threshold: 40}) {
		fmt.Printf("%s %d (%.1f km)\n", m.OfferID, m.Score, m.DistanceKm)
		for _, r := range m.Reasons {
			fmt.Printf("  %-13s %2d  %s\n", r.Code, r.Points, r.Detail)
		}
	}
	// Output:
	// 6f1c2a1e-0000-4000-8000-000000000001 87 (3.8 km)
	//   rome          35  exact ROME code M1805
	//   skills        19  required skills 2/2, optional skills 0/1, 2 validated or badged
	//   distance      13  3.8 km away, within 25 km
	//   start_date    10  starts 12 days after the first day of availability
	//   accessibility 10  workplace not marked disability-friendly
	// 6f1c2a1e-0000-4000-8000-000000000002 75 (202.3 km)
	//   rome          20  same ROME family M18: offer M1810, wanted M1805
	//   skills        30  no required skill, no optional skill
	//   distance      15  fully remote
	//   start_date     0  starts 163 days before the first day of availability
	//   accessibility 10  workplace not marked disability-friendly
}
