package store

// The register of where a trainee's personal data lives, table by table and
// column by column, with what export, erasure and retention do with it. The
// completeness test (privacy_test.go) reads PostgreSQL's catalogue and fails
// when a table is missing here, or a column of a table that holds trainee
// data: the next column added cannot be forgotten. docs/privacy.md says the
// same for people.

// Erasure actions.
const (
	EraseBlank  = "blanked"  // set to empty or NULL
	EraseDelete = "deleted"  // the rows go
	EraseKeep   = "kept"     // an anonymous fact (ids, statuses, dates), kept for the figures
	EraseScrub  = "scrubbed" // the trainee's id taken out of a JSON payload
	EraseSecret = "renewed"  // a new random value, so nothing links back
	EraseNoData = "none"     // holds nothing about a trainee
	ExportRow   = "exported" // in the export document (export.go)
	ExportNot   = "not exported: a secret or a copy"
)

// DataColumn says what happens to one column.
type DataColumn struct {
	Erasure   string
	Export    string
	Retention string // a RetentionRules name, or "" when the row follows its trainee
}

// DataTable is one table of the register. TraineeData false declares a
// table that holds nothing about a trainee (Why says so); true lists every
// column.
type DataTable struct {
	Name        string
	TraineeData bool
	Why         string
	Columns     map[string]DataColumn
}

func cols(erasure, export, retention string, names ...string) map[string]DataColumn {
	m := make(map[string]DataColumn, len(names))
	for _, n := range names {
		m[n] = DataColumn{Erasure: erasure, Export: export, Retention: retention}
	}
	return m
}

func merge(ms ...map[string]DataColumn) map[string]DataColumn {
	out := map[string]DataColumn{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// PersonalData is the register.
var PersonalData = []DataTable{
	{Name: "trainees", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportRow, RetainTraineeInactive, "id", "organisation_id", "cohort_id", "referent_id", "status",
			"exit_date", "created_at", "updated_at", "version", "erased_at"),
		cols(EraseBlank, ExportRow, RetainTraineeInactive, "first_name", "last_name", "birth_date", "email", "phone",
			"home_postal_code", "home_insee_code", "home_town", "home_latitude", "home_longitude", "mobility_radius_km",
			"transport_modes", "driving_licence", "wanted_kinds", "wanted_rome_codes", "skills", "languages",
			"availability", "max_weekly_hours", "exit_reason", "rqth", "rqth_sealed", "rqth_key_id"),
		cols(EraseSecret, ExportNot, RetainTraineeInactive, "pseudonym_salt"))},
	{Name: "consents", TraineeData: true, Columns: cols(EraseDelete, ExportRow, RetainTraineeInactive,
		"id", "trainee_id", "scope", "offer_id", "company_id", "note", "recorded_by", "recorded_role", "recorded_at",
		"withdrawn_at", "withdrawn_by")},
	{Name: "proposals", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportRow, RetainRefusal, "id", "trainee_id", "offer_id", "organisation_id", "company_id", "status",
			"origin", "status_actor_role", "status_changed_at", "created_at", "updated_at", "version", "proposed_at",
			"expiry_reminded_at"),
		cols(EraseBlank, ExportRow, RetainRefusal, "score", "reasons"))},
	{Name: "proposal_transitions", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportRow, RetainRefusal, "id", "proposal_id", "from_status", "to_status", "actor_role",
			"actor_key_id", "occurred_at"),
		cols(EraseBlank, ExportRow, RetainRefusal, "reason"))},
	{Name: "match_requests", TraineeData: true, Columns: cols(EraseDelete, ExportNot, RetainTraineeInactive,
		"id", "organisation_id", "trainee_id", "river_job_id", "created_at")},
	{Name: "placements", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportRow, RetainTraineeInactive, "id", "proposal_id", "trainee_id", "offer_id", "organisation_id",
			"company_id", "kind", "start_date", "end_date", "outcome", "ended_at", "created_at", "updated_at", "version",
			"start_confirmed_at"),
		cols(EraseBlank, ExportRow, RetainTraineeInactive, "tutor_name", "tutor_role", "outcome_reason"))},
	// The company's answers at 1, 3 and 6 months of a placement (exported
	// with their placement); the note is free text about the trainee.
	{Name: "placement_checkins", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportRow, RetainTraineeInactive, "id", "placement_id", "month", "still_there", "going",
			"answered_by_role", "answered_at"),
		cols(EraseBlank, ExportRow, RetainTraineeInactive, "note"))},
	{Name: "followups", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportRow, RetainTraineeInactive, "id", "trainee_id", "organisation_id", "month", "due_date",
			"situation", "contract_type", "recorded_at", "recorded_by", "created_at", "updated_at", "version"),
		cols(EraseBlank, ExportRow, RetainTraineeInactive, "note"))},
	{Name: "events", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportRow, RetainEvents, "id", "type", "occurred_at", "organisation_id", "company_id",
			"subject_type", "subject_id", "adviser_id", "subject_sequence"),
		cols(EraseScrub, ExportRow, RetainEvents, "payload"))},
	{Name: "notifications", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportRow, RetainNotifications, "id", "adviser_id", "event_id", "event_type", "title",
			"created_at", "updated_at", "read_at"),
		cols(EraseScrub, ExportRow, RetainNotifications, "payload"),
		cols(EraseBlank, ExportRow, RetainNotifications, "body"))},
	{Name: "deliveries", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportRow, RetainDeliveryLogs, "id", "event_id", "event_type", "channel", "adviser_id",
			"endpoint_id", "mode", "status", "attempts", "digest_id", "sent_at", "created_at", "updated_at"),
		cols(EraseKeep, ExportNot, RetainDeliveryLogs, "recipient"),
		cols(EraseBlank, ExportRow, RetainDeliveryLogs, "last_error"))},
	{Name: "webhook_attempts", TraineeData: true, Columns: merge(
		cols(EraseKeep, ExportNot, RetainDeliveryLogs, "id", "delivery_id", "attempted_at", "status_code", "duration_ms"),
		cols(EraseBlank, ExportNot, RetainDeliveryLogs, "error"))},
	{Name: "idempotency_keys", TraineeData: true, Columns: cols(EraseDelete, ExportNot, RetainIdempotency,
		"api_key_id", "key", "request_hash", "state", "response_status", "response_headers", "response_body", "created_at")},
	{Name: "audit_log", TraineeData: true, Columns: cols(EraseKeep, ExportRow, RetainAudit,
		"id", "at", "actor_key_id", "actor_role", "action", "resource_type", "resource_id", "organisation_id",
		"request_id", "details", "actor_session_id")},
	{Name: "erasures", TraineeData: true, Columns: cols(EraseKeep, ExportNot, "",
		"id", "trainee_id", "organisation_id", "cause", "actor_role", "actor_key_id", "actor_session_id", "counts", "erased_at")},

	{Name: "organisations", Why: "programmes: no person"},
	{Name: "advisers", Why: "staff of a programme, not trainees"},
	{Name: "companies", Why: "companies and their contacts, not trainees"},
	{Name: "partnerships", Why: "which programme works with which company"},
	{Name: "cohorts", Why: "a programme's groups: names, dates, targets"},
	{Name: "api_keys", Why: "keys of programmes, companies and integrators"},
	{Name: "offers", Why: "companies' offers"},
	{Name: "webhook_endpoints", Why: "integrators' URLs and secrets"},
	{Name: "digests", Why: "which adviser got a digest on which day; deleted with the delivery logs"},
	{Name: "rate_limits", Why: "a timestamp per API key"},
	{Name: "signin_links", Why: "advisers' and company users' sign-in links (hashes); deleted by retention"},
	{Name: "sessions", Why: "advisers' and company users' sessions (hashes); deleted by retention"},
	{Name: "company_users", Why: "people of a company who sign in to its space, not trainees"},
	{Name: "partner_requests", Why: "companies asking to become a programme's partner, and their contact"},
	{Name: "address_rate_limits", Why: "a timestamp per client address and form"},
	{Name: "schema_migrations", Why: "the migrations applied"},
	{Name: "search_shards", Why: "the search shard map: cells, bounds, servers"},
	{Name: "search_pending", Why: "ids of offers waiting to be indexed"},
	{Name: "search_placements", Why: "which shard holds each offer's document"},
}
