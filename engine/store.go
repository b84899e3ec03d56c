package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/search"
)

// reservedNames are DuckDB database and schema names a data store cannot
// take: ATTACH would fail or two-part names would become ambiguous.
var reservedNames = map[string]bool{
	"memory": true, "system": true, "temp": true, "main": true,
	"pg_catalog": true, "information_schema": true,
}

// Refresh (re)creates the tables of a data store from the catalog's current
// files: it attaches a new data store, replaces every view's table and
// drops tables whose view is gone. Call it after an import or a view
// change. The change is one DuckDB transaction: running queries keep
// their snapshot and new ones see all of it.
func (e *Engine) Refresh(ctx context.Context, datastore string) error {
	if !catalog.ValidName(datastore) || reservedNames[datastore] {
		return fmt.Errorf("engine: refresh: data store name %q is invalid or reserved", datastore)
	}
	views, err := e.cat.Views(datastore)
	if err != nil {
		return fmt.Errorf("engine: refresh %s: %w", datastore, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.stores[datastore] {
		if _, err := e.admin.ExecContext(ctx, "ATTACH ':memory:' AS "+quoteIdent(datastore)); err != nil {
			return fmt.Errorf("engine: attach data store %s: %w", datastore, err)
		}
		for _, schema := range []string{searchSchema, deidSchema} {
			if _, err := e.admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(datastore)+"."+schema); err != nil {
				return fmt.Errorf("engine: attach data store %s: %w", datastore, err)
			}
		}
		e.stores[datastore] = true
	}
	// Only the views whose files changed are replaced: binding a view
	// reads its Parquet files' footers, and a refresh after a few FHIR
	// writes touches the views of one or two resource types.
	prev := e.viewSQLs[datastore]
	next := make(map[string]string, len(views))
	stmts := make([]string, 0, len(views))
	var replaced []catalog.View
	for _, v := range views {
		if len(v.Files) == 0 {
			// Registered but never materialized (an interrupted view
			// change): its table is left as it is until a rebuild.
			e.log.Warn("engine: view has no Parquet file yet; not exposed", "datastore", datastore, "view", v.Name)
			if sql, ok := prev[v.Name]; ok {
				next[v.Name] = sql
			}
			continue
		}
		s, err := e.viewSQL(datastore, v)
		if err != nil {
			return err
		}
		next[v.Name] = s
		if prev[v.Name] != s {
			stmts = append(stmts, s)
			replaced = append(replaced, v)
		}
	}
	// Every R4 type has an index table, empty when the store holds none
	// of it, so that searches and chains need no special case.
	indexed := map[string]bool{}
	for _, v := range views {
		if v.Kind == catalog.KindSearch && len(v.Files) > 0 {
			indexed[strings.ToLower(v.Resource)] = true
		}
	}
	for _, typ := range fhir.ResourceTypes() {
		lt := strings.ToLower(typ)
		if indexed[lt] {
			continue
		}
		key := searchSchema + "." + lt
		s := "CREATE OR REPLACE VIEW " + searchTable(datastore, typ) + " AS " + emptyIndexSQL
		next[key] = s
		if prev[key] != s {
			stmts = append(stmts, s)
		}
	}
	drops, err := e.staleViews(ctx, datastore, views)
	if err != nil {
		return err
	}
	if len(stmts)+len(drops) > 0 {
		if err := e.inTx(ctx, append(stmts, drops...)); err != nil {
			delete(e.viewSQLs, datastore) // unknown state: replace all next time
			return fmt.Errorf("engine: refresh %s: %w", datastore, err)
		}
	}
	e.viewSQLs[datastore] = next
	e.commentViews(ctx, datastore, replaced) // a replaced view lost its comments
	e.log.Debug("engine: refreshed data store", "datastore", datastore, "views", len(views), "replaced", len(stmts), "dropped", len(drops))
	return nil
}

// Drop detaches a data store; its tables disappear from every session.
func (e *Engine) Drop(ctx context.Context, datastore string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.stores[datastore] {
		return nil
	}
	if _, err := e.admin.ExecContext(ctx, "DETACH "+quoteIdent(datastore)); err != nil {
		return fmt.Errorf("engine: drop data store %s: %w", datastore, err)
	}
	delete(e.stores, datastore)
	delete(e.viewSQLs, datastore)
	return nil
}

// viewSQL returns the CREATE VIEW statement of one fhirlake view. Paths
// must stay inside the data store's folder (the lock-down would refuse
// them anyway, with a less helpful error).
//
// A view's files are merge-on-read (see catalog.File): the rows of each
// generation's data files, less those whose key a later generation's
// deletes file lists, without the key column.
func (e *Engine) viewSQL(ds string, v catalog.View) (string, error) {
	target, err := viewTarget(ds, v)
	if err != nil {
		return "", err
	}
	if len(v.Files) == 0 {
		return "", fmt.Errorf("engine: view %s.%s has no Parquet file", ds, v.Name)
	}
	base := e.cat.DatastoreDir(ds)
	data := map[int][]string{}
	parts := map[int][]string{} // clustered (Partitioned) data files
	deletes := map[int][]string{}
	for _, f := range v.Files {
		p := filepath.Join(base, f.Path)
		if rel, err := filepath.Rel(base, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("engine: view %s.%s: file %q is outside the data store", ds, v.Name, f.Path)
		}
		switch {
		case f.Deletes:
			deletes[f.Gen] = append(deletes[f.Gen], quoteLiteral(p))
		case f.Partitioned:
			parts[f.Gen] = append(parts[f.Gen], quoteLiteral(p))
		default:
			data[f.Gen] = append(data[f.Gen], quoteLiteral(p))
		}
	}
	if v.Layout == 0 {
		// Files from before the key column; fhirlake rebuilds them at start.
		return fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT * FROM read_parquet([%s])", target, strings.Join(data[0], ", ")), nil
	}
	var gens []int
	for g := range data {
		gens = append(gens, g)
	}
	for g := range parts {
		if len(data[g]) == 0 {
			gens = append(gens, g)
		}
	}
	sort.Ints(gens)
	key := quoteIdent(catalog.KeyColumn)
	var selects []string
	for _, g := range gens {
		sel := generationSQL(data[g], parts[g])
		var later []string
		for dg, files := range deletes {
			if dg > g {
				later = append(later, files...)
			}
		}
		if len(later) > 0 {
			sort.Strings(later)
			sel = fmt.Sprintf("SELECT * FROM (%s) WHERE %s NOT IN (SELECT %s FROM read_parquet([%s]))", sel, key, key, strings.Join(later, ", "))
		}
		selects = append(selects, sel)
	}
	if len(selects) == 0 {
		return "", fmt.Errorf("engine: view %s.%s has no data file", ds, v.Name)
	}
	return fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT * EXCLUDE (%s) FROM (%s)", target, key, strings.Join(selects, " UNION ALL BY NAME ")), nil
}

// viewTarget is the qualified name of the DuckDB view of catalog view v
// of data store ds: ds.main.<name> for a view, ds.search.<type> for a
// search index, ds.deid.<view> for a de-identified twin.
func viewTarget(ds string, v catalog.View) (string, error) {
	switch v.Kind {
	case catalog.KindSearch:
		return searchTable(ds, v.Resource), nil
	case catalog.KindDeid:
		view, ok := catalog.DeidOf(v.Name)
		if !ok {
			return "", fmt.Errorf("engine: data store %s: invalid de-identified view name %q", ds, v.Name)
		}
		return quoteIdent(ds) + "." + deidSchema + "." + quoteIdent(view), nil
	}
	if !catalog.ValidName(v.Name) {
		return "", fmt.Errorf("engine: data store %s: invalid view name %q", ds, v.Name)
	}
	return quoteIdent(ds) + "." + mainSchema + "." + quoteIdent(v.Name), nil
}

// hasDeidRelation reports whether data store ds has the de-identified
// view named table (lower case) in its deid schema.
func (e *Engine) hasDeidRelation(ds, table string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.viewSQLs[ds][catalog.DeidName(table)]
	return ok
}

// generationSQL selects the rows of one generation's data files: plain
// ones, and clustered search index files, whose param comes from their
// folder (hive partitioning, so that DuckDB opens only the files of the
// parameters a query names) and whose key is their id.
func generationSQL(plain, clustered []string) string {
	var sels []string
	if len(plain) > 0 {
		sels = append(sels, fmt.Sprintf("SELECT * FROM read_parquet([%s])", strings.Join(plain, ", ")))
	}
	if len(clustered) > 0 {
		sels = append(sels, fmt.Sprintf("SELECT *, id AS %s FROM read_parquet([%s], hive_partitioning = true, hive_types = {'param': VARCHAR})",
			quoteIdent(catalog.KeyColumn), strings.Join(clustered, ", ")))
	}
	return strings.Join(sels, " UNION ALL BY NAME ")
}

// staleViews returns DROP statements for the data store's tables that
// have no view in the catalog any more.
func (e *Engine) staleViews(ctx context.Context, ds string, views []catalog.View) ([]string, error) {
	keep := make(map[string]bool, len(views))
	for _, v := range views {
		switch v.Kind {
		case "":
			keep[mainSchema+"."+v.Name] = true
		case catalog.KindDeid:
			keep[v.Name] = true // deid.<view>
		}
	}
	for _, typ := range fhir.ResourceTypes() {
		keep[searchSchema+"."+strings.ToLower(typ)] = true
	}
	rows, err := e.admin.QueryContext(ctx,
		"SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = ? AND schema_name IN ('main', '"+searchSchema+"', '"+deidSchema+"') AND NOT internal", ds)
	if err != nil {
		return nil, fmt.Errorf("engine: list tables of %s: %w", ds, err)
	}
	defer rows.Close()
	var drops []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("engine: list tables of %s: %w", ds, err)
		}
		if !keep[name] {
			schema, view, _ := strings.Cut(name, ".")
			drops = append(drops, fmt.Sprintf("DROP VIEW %s.%s.%s", quoteIdent(ds), quoteIdent(schema), quoteIdent(view)))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("engine: list tables of %s: %w", ds, err)
	}
	return drops, nil
}

// inTx runs stmts in one transaction on the admin connection.
func (e *Engine) inTx(ctx context.Context, stmts []string) error {
	tx, err := e.admin.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// searchSchema is the schema of a data store's database that holds the
// search index tables, apart from the users' tables in main.
const searchSchema = "search"

// searchTable is the qualified name of the search index table of a
// resource type in data store ds.
func searchTable(ds, resourceType string) string {
	return quoteIdent(ds) + "." + searchSchema + "." + quoteIdent(strings.ToLower(resourceType))
}

// emptyIndexSQL selects no row with the columns of an index table.
var emptyIndexSQL = func() string {
	var cols []string
	for _, f := range search.IndexSchema().Fields() {
		typ := "VARCHAR"
		switch f.Type.ID() {
		case arrow.FLOAT64:
			typ = "DOUBLE"
		case arrow.TIMESTAMP:
			typ = "TIMESTAMPTZ"
		}
		cols = append(cols, fmt.Sprintf("CAST(NULL AS %s) AS %s", typ, quoteIdent(f.Name)))
	}
	return "SELECT " + strings.Join(cols, ", ") + " LIMIT 0"
}()
