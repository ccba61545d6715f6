package search

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-dev/passerelle/search/shard"
)

// Searchable attributes, most important first: Meilisearch ranks a match in an
// earlier attribute higher.
var offerSearchable = []string{"title", "skills", "rome_labels", "description", "company_name"}

var offerFilterable = []string{AttrKind, AttrROMECodes, AttrStatus, AttrCompanyID, AttrStartDate,
	AttrDisabilityFriendly, AttrOpenToMinors, AttrRemote, AttrSkills, "_geo"}

// id is sortable as the last key of every sort: ties are broken by id, so
// that the shards' pages merge into exactly the page one index would give.
var offerSortable = []string{"start_date", "published_at", "_geo", "id"}

// offerRankingRules are Meilisearch's defaults with exactness before sort:
// the sort (the order asked for, then the id) comes after every relevance
// rule, so relevance-sorted results keep Meilisearch's relevance and ties
// are broken by id rather than by the document's internal number, which
// differs between shards.
var offerRankingRules = []string{"words", "typo", "proximity", "attribute", "exactness", "sort"}

// offerSynonymGroups are words a trainee or an adviser uses for one another.
// Each word of a group finds the others.
var offerSynonymGroups = [][]string{
	{"alternance", "apprentissage", "apprenti", "apprentie"},              //nolint:misspell // French
	{"dev", "développeur", "développeuse", "programmeur", "programmeuse"}, //nolint:misspell // French
	{"stage", "stagiaire"},
	{"immersion", "pmsmp"},
	{"cuisinier", "cuisinière", "cuisine"},
	{"vendeur", "vendeuse", "vente"},
	{"fibre", "fibre optique"},
	{"réseau", "réseaux"},
	{"community manager", "cm"},
	{"serveur", "serveuse", "service en salle"},
	{"mécanicien", "mécanicienne", "mécanique"},
	{"opticien", "opticienne", "optique"},
	{"boulanger", "boulangère", "boulangerie"},
	{"informatique", "numérique"},
	{"hôtellerie", "hôtel"},
	{"restauration", "restaurant"},
}

// offerSynonyms expands the groups into Meilisearch's one-way map.
func offerSynonyms() map[string][]string {
	out := map[string][]string{}
	for _, g := range offerSynonymGroups {
		for _, w := range g {
			for _, other := range g {
				if other != w {
					out[w] = append(out[w], other)
				}
			}
		}
	}
	return out
}

// maxTotalHits bounds how far results may be paged (page × per_page) and the
// exact total a search reports.
const maxTotalHits = 10_000

// OfferSettings are the settings of an index of the given kind. They are
// applied before any document is added: settings changed afterwards make
// Meilisearch reindex everything. The national index has no `_geo`: no
// R-tree to rewrite on each batch.
func OfferSettings(kind shard.Kind) *meilisearch.Settings {
	filterable, sortable := offerFilterable, offerSortable
	if kind == shard.KindNational {
		noGeo := func(s string) bool { return s == "_geo" }
		filterable = slices.DeleteFunc(slices.Clone(filterable), noGeo)
		sortable = slices.DeleteFunc(slices.Clone(sortable), noGeo)
	}
	return &meilisearch.Settings{
		SearchableAttributes: offerSearchable,
		FilterableAttributes: filterable,
		SortableAttributes:   sortable,
		RankingRules:         offerRankingRules,
		LocalizedAttributes:  []*meilisearch.LocalizedAttributes{{Locales: []string{"fra"}, AttributePatterns: offerSearchable}},
		Synonyms:             offerSynonyms(),
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: maxTotalHits},
	}
}

// EnsureOffersIndex creates the index of every cell of the shard map that
// already has one or is the national or remote cell, and applies the
// settings where they differ. Other cells get their index with their first
// document. It is idempotent and cheap when nothing changed; `passerelle
// serve` calls it at start.
func (c *Client) EnsureOffersIndex(ctx context.Context) error {
	m, err := c.Map(ctx)
	if err != nil {
		return err
	}
	for _, cell := range m.Cells {
		if cell.Kind == shard.KindGeo && cell.ID != shard.ElsewhereID {
			continue
		}
		if err := c.ready(ctx, cell); err != nil {
			return err
		}
	}
	return nil
}

// ready makes sure a cell's index exists with its settings before this
// process writes a document to it (an add to a missing index would create it
// with default settings).
func (c *Client) ready(ctx context.Context, cell shard.Cell) error {
	uid := c.IndexName(cell.Index)
	key := existKey(cell.Server, uid)
	c.mu.Lock()
	done := c.ensured[key]
	c.mu.Unlock()
	if done {
		return nil
	}
	if err := c.ensureIndex(ctx, cell.Server, uid, cell.Kind); err != nil {
		return err
	}
	c.mu.Lock()
	c.ensured[key], c.existing[key] = true, true
	c.mu.Unlock()
	return nil
}

func (c *Client) ensureIndex(ctx context.Context, server, uid string, kind shard.Kind) error {
	s, err := c.server(server)
	if err != nil {
		return err
	}
	if _, err := s.GetIndexWithContext(ctx, uid); err != nil {
		if !isCode(err, "index_not_found") {
			return fmt.Errorf("search: get index %s: %w", uid, classify(err))
		}
		info, err := s.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "id"})
		if err != nil {
			return fmt.Errorf("search: create index %s: %w", uid, classify(err))
		}
		// Another process may have created it meanwhile: that is fine.
		if err := c.wait(ctx, s, info); err != nil && !isCode(err, "index_already_exists") {
			return fmt.Errorf("search: create index %s: %w", uid, err)
		}
	}
	idx := s.Index(uid)
	current, err := idx.GetSettingsWithContext(ctx)
	if err != nil {
		return fmt.Errorf("search: settings of %s: %w", uid, classify(err))
	}
	want := OfferSettings(kind)
	if settingsMatch(current, want) {
		return nil
	}
	info, err := idx.UpdateSettingsWithContext(ctx, want)
	if err != nil {
		return fmt.Errorf("search: update settings of %s: %w", uid, classify(err))
	}
	if err := c.wait(ctx, s, info); err != nil {
		return fmt.Errorf("search: update settings of %s: %w", uid, err)
	}
	return nil
}

// settingsMatch compares what OfferSettings sets.
func settingsMatch(got, want *meilisearch.Settings) bool {
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	if !slices.Equal(got.SearchableAttributes, want.SearchableAttributes) ||
		!slices.Equal(got.RankingRules, want.RankingRules) ||
		!slices.Equal(sorted(got.FilterableAttributes), sorted(want.FilterableAttributes)) ||
		!slices.Equal(sorted(got.SortableAttributes), sorted(want.SortableAttributes)) {
		return false
	}
	if len(got.LocalizedAttributes) != 1 || !slices.Equal(got.LocalizedAttributes[0].Locales, want.LocalizedAttributes[0].Locales) ||
		!slices.Equal(got.LocalizedAttributes[0].AttributePatterns, want.LocalizedAttributes[0].AttributePatterns) {
		return false
	}
	if !maps.EqualFunc(got.Synonyms, want.Synonyms, func(a, b []string) bool { return slices.Equal(sorted(a), sorted(b)) }) {
		return false
	}
	return got.TypoTolerance != nil && got.TypoTolerance.Enabled &&
		got.TypoTolerance.MinWordSizeForTypos == want.TypoTolerance.MinWordSizeForTypos &&
		got.Pagination != nil && got.Pagination.MaxTotalHits == want.Pagination.MaxTotalHits
}

// Write is what one request changes in one cell's index.
type Write struct {
	Cell    shard.Cell
	Upserts []OfferDoc
	Deletes []string
}

// Apply sends every write (one request for the upserts and one for the
// deletions of each cell; the indexes are created with their settings
// first), then waits until Meilisearch has applied them all. Writes to one
// index are applied in the order sent; a failure leaves the caller to send
// them again (they are idempotent).
func (c *Client) Apply(ctx context.Context, writes []Write) error {
	type sent struct {
		server meilisearch.ServiceManager
		info   *meilisearch.TaskInfo
		what   string
	}
	var mu sync.Mutex
	var tasks []sent
	var errs []error
	var wg sync.WaitGroup
	// Cells are written in parallel: the requests only enqueue tasks, and
	// Meilisearch works them one index batch at a time.
	for _, w := range writes {
		if len(w.Upserts) == 0 && len(w.Deletes) == 0 {
			continue
		}
		wg.Go(func() {
			err := func() error {
				if err := c.ready(ctx, w.Cell); err != nil {
					return err
				}
				s, err := c.server(w.Cell.Server)
				if err != nil {
					return err
				}
				idx := s.Index(c.IndexName(w.Cell.Index))
				pk := "id"
				if len(w.Deletes) > 0 {
					info, err := idx.DeleteDocumentsWithContext(ctx, w.Deletes, nil)
					if err != nil {
						return fmt.Errorf("search: delete %d offers from %s: %w", len(w.Deletes), w.Cell.ID, classify(err))
					}
					mu.Lock()
					tasks = append(tasks, sent{s, info, "delete from " + w.Cell.ID})
					mu.Unlock()
				}
				if len(w.Upserts) > 0 {
					var docs any = w.Upserts
					if w.Cell.Kind == shard.KindNational {
						nd := make([]nationalDoc, len(w.Upserts))
						for i, d := range w.Upserts {
							nd[i] = nationalDoc{OfferDoc: d}
						}
						docs = nd
					}
					info, err := idx.AddDocumentsWithContext(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
					if err != nil {
						return fmt.Errorf("search: upsert %d offers into %s: %w", len(w.Upserts), w.Cell.ID, classify(err))
					}
					mu.Lock()
					tasks = append(tasks, sent{s, info, "upsert into " + w.Cell.ID})
					mu.Unlock()
				}
				return nil
			}()
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// Wait for what was sent even after a failure: the caller's retry then
	// starts from a settled state.
	for _, t := range tasks {
		if err := c.wait(ctx, t.server, t.info); err != nil {
			errs = append(errs, fmt.Errorf("search: %s: %w", t.what, err))
		}
	}
	return errors.Join(errs...)
}

// UpsertOffer adds or replaces one offer's document in its cell (by the
// current map) and in the national index, and waits. It does not remove a
// copy from another cell: the index job, which knows where documents were
// written, does that.
func (c *Client) UpsertOffer(ctx context.Context, doc OfferDoc) error {
	m, err := c.Map(ctx)
	if err != nil {
		return err
	}
	writes := []Write{{Cell: m.Place(doc.Point(), doc.INSEECode, doc.FullyRemote()), Upserts: []OfferDoc{doc}}}
	if n, ok := m.National(); ok {
		writes = append(writes, Write{Cell: n, Upserts: []OfferDoc{doc}})
	}
	if err := c.Apply(ctx, writes); err != nil {
		return fmt.Errorf("search: upsert offer %s: %w", doc.ID, err)
	}
	return nil
}

// DeleteOffer removes one offer's document from every cell that has an
// index (nothing when absent) and waits.
func (c *Client) DeleteOffer(ctx context.Context, id string) error {
	return c.DeleteOffers(ctx, []string{id})
}

// DeleteOffers removes documents by id from every cell that has an index,
// and waits.
func (c *Client) DeleteOffers(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	m, err := c.Map(ctx)
	if err != nil {
		return err
	}
	cells, err := c.exists(ctx, m.Cells)
	if err != nil {
		return err
	}
	writes := make([]Write, len(cells))
	for i, cell := range cells {
		writes[i] = Write{Cell: cell, Deletes: ids}
	}
	return c.Apply(ctx, writes)
}

// ShardVersions returns, for every cell of the map that has an index, the
// id and version of each of its documents: what the reconciler compares
// with the database.
func (c *Client) ShardVersions(ctx context.Context) (map[string]map[string]int, error) {
	m, err := c.Map(ctx)
	if err != nil {
		return nil, err
	}
	cells, err := c.exists(ctx, m.Cells)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]int, len(cells))
	for _, cell := range cells {
		v, err := c.CellVersions(ctx, cell)
		if err != nil {
			return nil, err
		}
		out[cell.ID] = v
	}
	return out, nil
}

// CellVersions returns the id and version of every document of one cell.
func (c *Client) CellVersions(ctx context.Context, cell shard.Cell) (map[string]int, error) {
	s, err := c.server(cell.Server)
	if err != nil {
		return nil, err
	}
	return c.indexVersions(ctx, s.Index(c.IndexName(cell.Index)), cell.ID)
}

func (c *Client) indexVersions(ctx context.Context, idx meilisearch.IndexManager, name string) (map[string]int, error) {
	const pageSize = 1000
	out := map[string]int{}
	for offset := int64(0); ; offset += pageSize {
		var res meilisearch.DocumentsResult
		err := idx.GetDocumentsWithContext(ctx, &meilisearch.DocumentsQuery{
			Offset: offset, Limit: pageSize, Fields: []string{"id", "version"},
		}, &res)
		if err != nil {
			return nil, fmt.Errorf("search: offer versions of %s: %w", name, classify(err))
		}
		for _, hit := range res.Results {
			var d struct {
				ID      string `json:"id"`
				Version int    `json:"version"`
			}
			if err := hit.DecodeInto(&d); err != nil {
				return nil, fmt.Errorf("search: offer versions: %w", err)
			}
			out[d.ID] = d.Version
		}
		if int64(len(res.Results)) < pageSize {
			return out, nil
		}
	}
}

// OfferVersions returns the id and version of every document in the geo and
// remote cells (the national index, when there is one, holds the same
// offers). A document found in two cells is reported with version -1, which
// no offer has: the index is not in line.
func (c *Client) OfferVersions(ctx context.Context) (map[string]int, error) {
	byCell, err := c.ShardVersions(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for id, docs := range byCell {
		if id == shard.NationalID {
			continue
		}
		for doc, v := range docs {
			if _, twice := out[doc]; twice {
				v = -1
			}
			out[doc] = v
		}
	}
	return out, nil
}

// taskError is a Meilisearch task that did not succeed.
type taskError struct {
	uid    int64
	status meilisearch.TaskStatus
	code   string
	msg    string
}

func (e *taskError) Error() string {
	return fmt.Sprintf("task %d %s: %s (%s)", e.uid, e.status, e.msg, e.code)
}

// wait waits (at most TaskTimeout) for a task and fails unless it succeeded.
func (c *Client) wait(ctx context.Context, s meilisearch.ServiceManager, info *meilisearch.TaskInfo) error {
	ctx, cancel := context.WithTimeout(ctx, c.TaskTimeout)
	defer cancel()
	task, err := s.WaitForTaskWithContext(ctx, info.TaskUID, 5*time.Millisecond)
	if err != nil {
		return fmt.Errorf("wait for task %d: %w", info.TaskUID, classify(err))
	}
	if task.Status != meilisearch.TaskStatusSucceeded {
		return &taskError{uid: info.TaskUID, status: task.Status, code: task.Error.Code, msg: task.Error.Message}
	}
	return nil
}

// isCode reports whether err is a Meilisearch API error or failed task with
// the given error code.
func isCode(err error, code string) bool {
	var te *taskError
	if errors.As(err, &te) {
		return te.code == code
	}
	var me *meilisearch.Error
	return errors.As(err, &me) && me.MeilisearchApiError.Code == code
}
