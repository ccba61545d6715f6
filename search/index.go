package search

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// Searchable attributes, most important first: Meilisearch ranks a match in an
// earlier attribute higher.
var offerSearchable = []string{"title", "skills", "rome_labels", "description", "company_name"}

var offerFilterable = []string{AttrKind, AttrROMECodes, AttrStatus, AttrCompanyID, AttrStartDate,
	AttrDisabilityFriendly, AttrOpenToMinors, AttrRemote, AttrSkills, "_geo"}

var offerSortable = []string{"start_date", "published_at", "_geo"}

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

// OfferSettings are the offers index's settings. They are applied before any
// document is added: settings changed afterwards make Meilisearch reindex
// everything.
func OfferSettings() *meilisearch.Settings {
	return &meilisearch.Settings{
		SearchableAttributes: offerSearchable,
		FilterableAttributes: offerFilterable,
		SortableAttributes:   offerSortable,
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

// EnsureOffersIndex creates the offers index (primary key id) when missing and
// applies its settings when they differ, waiting for each task. It is
// idempotent and cheap when nothing changed; `passerelle serve` calls it at
// start, and writes call it first when this process has not yet succeeded.
func (c *Client) EnsureOffersIndex(ctx context.Context) error {
	if err := c.ensureIndex(ctx, c.IndexName(IndexOffers)); err != nil {
		return err
	}
	c.offersReady.Store(true)
	return nil
}

func (c *Client) ensureIndex(ctx context.Context, uid string) error {
	if _, err := c.meili.GetIndexWithContext(ctx, uid); err != nil {
		if !isCode(err, "index_not_found") {
			return fmt.Errorf("search: get index %s: %w", uid, classify(err))
		}
		info, err := c.meili.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "id"})
		if err != nil {
			return fmt.Errorf("search: create index %s: %w", uid, classify(err))
		}
		// Another process may have created it meanwhile: that is fine.
		if err := c.wait(ctx, info); err != nil && !isCode(err, "index_already_exists") {
			return fmt.Errorf("search: create index %s: %w", uid, err)
		}
	}
	idx := c.meili.Index(uid)
	current, err := idx.GetSettingsWithContext(ctx)
	if err != nil {
		return fmt.Errorf("search: settings of %s: %w", uid, classify(err))
	}
	want := OfferSettings()
	if settingsMatch(current, want) {
		return nil
	}
	info, err := idx.UpdateSettingsWithContext(ctx, want)
	if err != nil {
		return fmt.Errorf("search: update settings of %s: %w", uid, classify(err))
	}
	if err := c.wait(ctx, info); err != nil {
		return fmt.Errorf("search: update settings of %s: %w", uid, err)
	}
	return nil
}

// settingsMatch compares what OfferSettings sets.
func settingsMatch(got, want *meilisearch.Settings) bool {
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	if !slices.Equal(got.SearchableAttributes, want.SearchableAttributes) ||
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

// ready makes sure the settings were applied before this process writes a
// document (an add to a missing index would create it with default settings).
func (c *Client) ready(ctx context.Context) error {
	if c.offersReady.Load() {
		return nil
	}
	return c.EnsureOffersIndex(ctx)
}

// UpsertOffer adds or replaces one offer's document and waits for Meilisearch
// to have applied it.
func (c *Client) UpsertOffer(ctx context.Context, doc OfferDoc) error {
	if err := c.ready(ctx); err != nil {
		return err
	}
	pk := "id"
	info, err := c.offers().AddDocumentsWithContext(ctx, []OfferDoc{doc}, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		return fmt.Errorf("search: upsert offer %s: %w", doc.ID, classify(err))
	}
	if err := c.wait(ctx, info); err != nil {
		return fmt.Errorf("search: upsert offer %s: %w", doc.ID, err)
	}
	return nil
}

// DeleteOffer removes one offer's document (nothing when absent) and waits.
func (c *Client) DeleteOffer(ctx context.Context, id string) error {
	return c.DeleteOffers(ctx, []string{id})
}

// DeleteOffers removes documents by id and waits.
func (c *Client) DeleteOffers(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := c.ready(ctx); err != nil {
		return err
	}
	info, err := c.offers().DeleteDocumentsWithContext(ctx, ids, nil)
	if err != nil {
		return fmt.Errorf("search: delete offers %v: %w", ids, classify(err))
	}
	if err := c.wait(ctx, info); err != nil {
		return fmt.Errorf("search: delete offers %v: %w", ids, err)
	}
	return nil
}

// OfferVersions returns the id and version of every document in the offers
// index, for the reconciler.
func (c *Client) OfferVersions(ctx context.Context) (map[string]int, error) {
	const pageSize = 1000
	out := map[string]int{}
	for offset := int64(0); ; offset += pageSize {
		var res meilisearch.DocumentsResult
		err := c.offers().GetDocumentsWithContext(ctx, &meilisearch.DocumentsQuery{
			Offset: offset, Limit: pageSize, Fields: []string{"id", "version"},
		}, &res)
		if err != nil {
			return nil, fmt.Errorf("search: offer versions: %w", classify(err))
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

// ReindexOffers builds a new index from docs (settings first), then swaps it
// with the live offers index in one atomic step and deletes the old one.
// Searches never see a half-built index. Writes to the live index made while
// it runs are lost with the old index: run the reconciler afterwards (the
// reindex command does).
func (c *Client) ReindexOffers(ctx context.Context, docs iter.Seq2[OfferDoc, error]) (int, error) {
	const batchSize = 1000
	live := c.IndexName(IndexOffers)
	fresh := c.IndexName(IndexOffers + "_" + strconv.FormatInt(time.Now().UnixMilli(), 10))
	if err := c.ensureIndex(ctx, fresh); err != nil {
		return 0, err
	}
	cleanup := func() {
		// Best effort: a failed reindex leaves no stray index behind.
		if info, err := c.meili.DeleteIndexWithContext(context.WithoutCancel(ctx), fresh); err == nil {
			_ = c.wait(context.WithoutCancel(ctx), info)
		}
	}
	idx := c.meili.Index(fresh)
	pk := "id"
	var tasks []*meilisearch.TaskInfo
	batch := make([]OfferDoc, 0, batchSize)
	count := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		info, err := idx.AddDocumentsWithContext(ctx, batch, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return fmt.Errorf("search: reindex: add documents: %w", classify(err))
		}
		tasks = append(tasks, info)
		count += len(batch)
		batch = batch[:0]
		return nil
	}
	for doc, err := range docs {
		if err != nil {
			cleanup()
			return 0, fmt.Errorf("search: reindex: %w", err)
		}
		batch = append(batch, doc)
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				cleanup()
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		cleanup()
		return 0, err
	}
	for _, info := range tasks {
		if err := c.wait(ctx, info); err != nil {
			cleanup()
			return 0, fmt.Errorf("search: reindex: add documents: %w", err)
		}
	}

	// Swap needs both indexes; with no live index yet, rename fresh to live
	// (rename takes the first name to the second).
	_, err := c.meili.GetIndexWithContext(ctx, live)
	rename := err != nil && isCode(err, "index_not_found")
	if err != nil && !rename {
		cleanup()
		return 0, fmt.Errorf("search: reindex: %w", classify(err))
	}
	info, err := c.meili.SwapIndexesWithContext(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{fresh, live}, Rename: rename}})
	if err != nil {
		cleanup()
		return 0, fmt.Errorf("search: reindex: swap: %w", classify(err))
	}
	if err := c.wait(ctx, info); err != nil {
		cleanup()
		return 0, fmt.Errorf("search: reindex: swap: %w", err)
	}
	c.offersReady.Store(true)
	if !rename {
		// fresh now names the old documents.
		info, err := c.meili.DeleteIndexWithContext(ctx, fresh)
		if err != nil {
			return count, fmt.Errorf("search: reindex: delete old index: %w", classify(err))
		}
		if err := c.wait(ctx, info); err != nil {
			return count, fmt.Errorf("search: reindex: delete old index: %w", err)
		}
	}
	return count, nil
}

func (c *Client) offers() meilisearch.IndexManager { return c.meili.Index(c.IndexName(IndexOffers)) }

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
func (c *Client) wait(ctx context.Context, info *meilisearch.TaskInfo) error {
	ctx, cancel := context.WithTimeout(ctx, c.TaskTimeout)
	defer cancel()
	task, err := c.meili.WaitForTaskWithContext(ctx, info.TaskUID, 10*time.Millisecond)
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
