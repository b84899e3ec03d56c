package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// ChangeSource is what a refresh reads: the change log since the last
// refresh, whole types by Scan, single resources by Read, and the number
// of resources of each type to choose between the two. *store.Store is
// one.
type ChangeSource interface {
	Source
	// Seq returns the sequence number of the last change.
	Seq(ctx context.Context) (uint64, error)
	// Changes calls fn for every change after since, in order.
	Changes(ctx context.Context, since uint64, fn func(store.Change) error) error
	// Read returns the current version of a resource, or an error
	// wrapping store.ErrNotFound or store.ErrDeleted.
	Read(ctx context.Context, typ, id string) (store.Resource, error)
	// Counts returns the number of current resources of each type.
	Counts(ctx context.Context) (map[string]int, error)
}

const (
	// maxGenerations bounds the generations of a view's files: a view
	// that has had this many incremental refreshes is rebuilt in full
	// instead, so that a query never merges more.
	maxGenerations = 8
	// maxDeltaShare is the share of a type's resources above which a
	// refresh rebuilds its views in full: past it, one scan of the type
	// costs less than reading the changed resources one by one and
	// merging them at query time.
	maxDeltaShare = 0.25
)

// typeChanges are the changes of one resource type since a refresh: the
// ids, or, once they are too many for an incremental refresh to pay, just
// that fact (so a first import of millions of resources does not hold
// their ids in memory).
type typeChanges struct {
	ids      []string
	overflow bool
}

// collectChanges reads the changes in (since, head] per type.
func collectChanges(ctx context.Context, src ChangeSource, since, head uint64, counts map[string]int) (map[string]*typeChanges, error) {
	out := map[string]*typeChanges{}
	err := src.Changes(ctx, since, func(c store.Change) error {
		if c.Seq > head {
			return errStop
		}
		tc := out[c.Type]
		if tc == nil {
			tc = &typeChanges{}
			out[c.Type] = tc
		}
		if tc.overflow {
			return nil
		}
		tc.ids = append(tc.ids, c.ID)
		if float64(len(tc.ids)) > maxDeltaShare*float64(counts[c.Type]) {
			tc.ids, tc.overflow = nil, true
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return out, nil
}

var errStop = errors.New("stop")

// Refresh brings the views of data store ds up to date with the changes
// of src after sequence number since, and returns the sequence number it
// brought them to (the caller records it for the next Refresh). It also
// rebuilds the views that need it whatever the changes: those never
// materialized and those in an older file layout.
//
// A type's views are refreshed incrementally when few of its resources
// changed: only the changed resources are flattened, into a new
// generation of data files, and a deletes file of the same generation
// supersedes their earlier rows (see catalog.File). Otherwise, and once a
// view has maxGenerations generations, the type's views are rebuilt from
// a full scan. Either way the replaced files become catalog garbage, for
// the caller's Sweep.
func Refresh(ctx context.Context, cat Catalog, ds string, src ChangeSource, since uint64) (uint64, []ViewReport, error) {
	head, err := src.Seq(ctx)
	if err != nil {
		return 0, nil, err
	}
	counts, err := src.Counts(ctx)
	if err != nil {
		return 0, nil, err
	}
	if err := ensureSearchIndexes(cat, ds, counts); err != nil {
		return 0, nil, err
	}
	if err := syncDeidTwins(cat, ds); err != nil {
		return 0, nil, err
	}
	cvs, err := cat.Views(ds)
	if err != nil {
		return 0, nil, err
	}
	byType := map[string][]catalog.View{}
	for _, cv := range cvs {
		byType[cv.Resource] = append(byType[cv.Resource], cv)
	}
	changed := map[string]*typeChanges{}
	if head > since {
		if changed, err = collectChanges(ctx, src, since, head, counts); err != nil {
			return 0, nil, err
		}
	}
	full := map[string]bool{}
	var deltas []string
	compact := map[string][]string{}
	foldAt := map[string]fold{}
	for typ, views := range byType {
		tc := changed[typ]
		switch {
		case slices.ContainsFunc(views, needsRebuild):
			full[typ] = true
		case tc == nil:
		case tc.overflow:
			full[typ] = true
		case slices.ContainsFunc(views, tooManyGenerations):
			// Fold the newest generations into one by re-flattening the
			// resources changed since the oldest of them, if they are
			// still few (see foldPlan).
			gen, from, ok := foldPlan(views)
			if !ok {
				full[typ] = true
				break
			}
			ids, overflow, err := changedSince(ctx, src, typ, from, head)
			if err != nil {
				return 0, nil, err
			}
			if overflow {
				full[typ] = true
				break
			}
			compact[typ] = ids
			foldAt[typ] = fold{gen: gen, since: from}
			deltas = append(deltas, typ)
		default:
			deltas = append(deltas, typ)
		}
	}
	var reports []ViewReport
	if len(full) > 0 {
		rs, err := materialize(ctx, cat, ds, src, func(j *viewJob) bool { return full[j.view.Resource()] })
		if err != nil {
			return 0, nil, err
		}
		reports = append(reports, rs...)
	}
	sort.Strings(deltas)
	for _, typ := range deltas {
		ids, folded := compact[typ]
		f := fold{since: since}
		if folded {
			f = foldAt[typ]
		} else {
			ids = changed[typ].ids
		}
		rs, err := refreshDelta(ctx, cat, ds, src, typ, byType[typ], ids, f)
		if err != nil {
			return 0, nil, fmt.Errorf("ingest: refresh the views of %s in %s: %w", typ, ds, err)
		}
		reports = append(reports, rs...)
	}
	return head, reports, nil
}

// needsRebuild reports a view whose files cannot be refreshed
// incrementally.
func needsRebuild(cv catalog.View) bool {
	if cv.Kind == catalog.KindSearch && string(cv.Definition) != search.IndexVersion {
		return true
	}
	return cv.Layout != catalog.CurrentLayout || len(cv.Files) == 0
}

func tooManyGenerations(cv catalog.View) bool { return topGeneration(cv) >= maxGenerations }

func topGeneration(cv catalog.View) int {
	top := 0
	for _, f := range cv.Files {
		top = max(top, f.Gen)
	}
	return top
}

// fold says where a refresh's generation goes: a new generation on top
// (gen 0) or, folding, generation gen replacing it and every newer one;
// since is the change sequence the generation's changes start after.
type fold struct {
	gen   int
	since uint64
}

// foldPlan chooses which generations of a type's views to fold once they
// have maxGenerations: the newest ones, from the oldest generation g >= 2
// that holds no more changed resources than all generations after it
// together (so generation sizes stay roughly geometric and a fold rewrites
// about as much as recently changed, not everything since the first
// build); at least the two newest. It returns that generation and the
// change sequence its changes start after; ok is false when that is
// unknown (files of an older version, or views of one type out of step),
// and the type is rebuilt instead.
func foldPlan(views []catalog.View) (gen int, since uint64, ok bool) {
	top := topGeneration(views[0])
	size := map[int]int64{}
	starts := map[int]uint64{}
	for _, cv := range views {
		if topGeneration(cv) != top {
			return 0, 0, false
		}
		for _, f := range cv.Files {
			if f.Deletes && cv.Name == views[0].Name {
				size[f.Gen] += f.Rows
			}
			if f.Gen > 1 {
				if f.Since == 0 {
					return 0, 0, false
				}
				if s, seen := starts[f.Gen]; seen && s != f.Since {
					return 0, 0, false
				}
				starts[f.Gen] = f.Since
			}
		}
	}
	gen = top - 1
	for g := 2; g < top-1; g++ {
		var after int64
		for h := g + 1; h <= top; h++ {
			after += size[h]
		}
		if size[g] <= after {
			gen = g
			break
		}
	}
	since, ok = starts[gen]
	return gen, since, ok && gen >= 2
}

// changedSince returns the ids of typ changed in (since, head], or
// overflow once they pass maxDeltaShare of the type's resources.
func changedSince(ctx context.Context, src ChangeSource, typ string, since, head uint64) ([]string, bool, error) {
	counts, err := src.Counts(ctx)
	if err != nil {
		return nil, false, err
	}
	limit := int(maxDeltaShare * float64(counts[typ]))
	seen := map[string]bool{}
	var ids []string
	err = src.Changes(ctx, since, func(c store.Change) error {
		if c.Seq > head {
			return errStop
		}
		if c.Type != typ || seen[c.ID] {
			return nil
		}
		seen[c.ID] = true
		ids = append(ids, c.ID)
		if len(ids) > limit {
			return errOverflow
		}
		return nil
	})
	switch {
	case errors.Is(err, errOverflow):
		return nil, true, nil
	case err != nil && !errors.Is(err, errStop):
		return nil, false, err
	}
	return ids, false, nil
}

var errOverflow = errors.New("overflow")

// refreshDelta adds one generation to the views of one type: the rows of
// the resources in ids (those not deleted), and a deletes file listing
// all of ids. Folding (at.gen > 0), ids are every resource changed since
// generation at.gen began, and the new generation replaces it and all
// newer ones.
func refreshDelta(ctx context.Context, cat Catalog, ds string, src ChangeSource, typ string, views []catalog.View, ids []string, at fold) ([]ViewReport, error) {
	folding := at.gen > 0
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	gen := 0
	jobs := make([]*viewJob, 0, len(views))
	for _, cv := range views {
		j, err := newViewJob(cv)
		if err != nil {
			return nil, fmt.Errorf("view %s: %w", cv.Name, err)
		}
		jobs = append(jobs, j)
		gen = max(gen, topGeneration(cv)+1)
	}
	if folding {
		gen = at.gen
	}
	d, err := twinDeidentifier(cat, ds, jobs)
	if err != nil {
		return nil, err
	}
	// A twin's files are keyed by pseudonymous ids (see pseudoID).
	var twinIDs []string
	if d != nil {
		if twinIDs, err = pseudoIDs(ctx, d, typ, ids); err != nil {
			return nil, err
		}
		slices.Sort(twinIDs)
	}
	stamp := fileStamp()
	dir := cat.DatastoreDir(ds)
	feed := func(ctx context.Context, fn func(store.Resource) error) error {
		for _, id := range ids {
			r, err := src.Read(ctx, typ, id)
			if errors.Is(err, store.ErrDeleted) || errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	if err := buildGroup(ctx, dir, stamp, gen, jobs, feed, clusterPolicyOf(cat), d); err != nil {
		return nil, err
	}
	var written []string
	cleanup := func() {
		for _, rel := range written {
			os.Remove(filepath.Join(dir, rel))
		}
	}
	for _, j := range jobs {
		// A generation needs no empty data file: the table's schema
		// comes from the earlier ones.
		kept := j.files[:0]
		for _, f := range j.files {
			if f.Rows == 0 {
				os.Remove(filepath.Join(dir, f.Path))
				continue
			}
			kept = append(kept, f)
			written = append(written, f.Path)
		}
		j.files = kept
		rel := filepath.Join("views", fmt.Sprintf("%s.%s.deletes.parquet", j.cv.Name, stamp))
		keys := ids
		if j.deid {
			keys = twinIDs
		}
		del, err := writeDeletes(dir, rel, gen, keys)
		if err != nil {
			cleanup()
			return nil, err
		}
		written = append(written, rel)
		j.files = append(j.files, del)
	}
	if err := syncDir(filepath.Join(dir, "views")); err != nil {
		cleanup()
		return nil, err
	}
	reports := make([]ViewReport, len(jobs))
	for i, j := range jobs {
		for k := range j.files {
			j.files[k].Since = at.since
		}
		kept := slices.Clone(j.cv.Files)
		if folding {
			kept = slices.DeleteFunc(kept, func(f catalog.File) bool { return f.Gen >= gen })
			j.cv.Rows = 0
			for _, f := range kept {
				if !f.Deletes {
					j.cv.Rows += f.Rows
				}
			}
		}
		j.cv.Files = append(kept, j.files...)
		j.cv.Rows += j.report.Rows
		j.cv.Updated = time.Now().UTC()
		if err := cat.PutView(ds, j.cv); err != nil {
			return nil, err
		}
		reports[i] = j.report
	}
	return reports, nil
}

// ensureSearchIndexes registers the search index table of every resource
// type the store holds (or held) that has none yet; Refresh then builds it
// like a view never materialized.
func ensureSearchIndexes(cat Catalog, ds string, counts map[string]int) error {
	cvs, err := cat.Views(ds)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, cv := range cvs {
		if cv.Kind == catalog.KindSearch {
			have[cv.Resource] = true
		}
	}
	for typ := range counts {
		if have[typ] || !fhir.IsResourceType(typ) {
			continue
		}
		cv := catalog.View{Name: catalog.SearchIndexName(typ), Resource: typ, Kind: catalog.KindSearch, Layout: catalog.CurrentLayout,
			Definition: []byte(search.IndexVersion)}
		if err := cat.PutView(ds, cv); err != nil {
			return fmt.Errorf("ingest: register the search index of %s: %w", typ, err)
		}
	}
	return nil
}
