package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/fhirlake/fhirlake/catalog"
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
	stmts := make([]string, 0, len(views))
	for _, v := range views {
		if len(v.Files) == 0 {
			// Registered but never materialized (an interrupted view
			// change): its table is left as it is until a rebuild.
			e.log.Warn("engine: view has no Parquet file yet; not exposed", "datastore", datastore, "view", v.Name)
			continue
		}
		s, err := e.viewSQL(datastore, v)
		if err != nil {
			return err
		}
		stmts = append(stmts, s)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.stores[datastore] {
		if _, err := e.admin.ExecContext(ctx, "ATTACH ':memory:' AS "+quoteIdent(datastore)); err != nil {
			return fmt.Errorf("engine: attach data store %s: %w", datastore, err)
		}
		e.stores[datastore] = true
	}
	drops, err := e.staleViews(ctx, datastore, views)
	if err != nil {
		return err
	}
	if err := e.inTx(ctx, append(stmts, drops...)); err != nil {
		return fmt.Errorf("engine: refresh %s: %w", datastore, err)
	}
	e.log.Info("engine: refreshed data store", "datastore", datastore, "views", len(views), "dropped", len(drops))
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
	return nil
}

// viewSQL returns the CREATE VIEW statement of one fhirlake view. Paths
// must stay inside the data store's folder (the lock-down would refuse
// them anyway, with a less helpful error).
func (e *Engine) viewSQL(ds string, v catalog.View) (string, error) {
	if !catalog.ValidName(v.Name) {
		return "", fmt.Errorf("engine: data store %s: invalid view name %q", ds, v.Name)
	}
	if len(v.Files) == 0 {
		return "", fmt.Errorf("engine: view %s.%s has no Parquet file", ds, v.Name)
	}
	base := e.cat.DatastoreDir(ds)
	paths := make([]string, len(v.Files))
	for i, f := range v.Files {
		p := filepath.Join(base, f.Path)
		if rel, err := filepath.Rel(base, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("engine: view %s.%s: file %q is outside the data store", ds, v.Name, f.Path)
		}
		paths[i] = quoteLiteral(p)
	}
	return fmt.Sprintf("CREATE OR REPLACE VIEW %s.main.%s AS SELECT * FROM read_parquet([%s])",
		quoteIdent(ds), quoteIdent(v.Name), strings.Join(paths, ", ")), nil
}

// staleViews returns DROP statements for the data store's tables that
// have no view in the catalog any more.
func (e *Engine) staleViews(ctx context.Context, ds string, views []catalog.View) ([]string, error) {
	keep := make(map[string]bool, len(views))
	for _, v := range views {
		keep[v.Name] = true
	}
	rows, err := e.admin.QueryContext(ctx,
		"SELECT view_name FROM duckdb_views() WHERE database_name = ? AND schema_name = 'main' AND NOT internal", ds)
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
			drops = append(drops, fmt.Sprintf("DROP VIEW %s.main.%s", quoteIdent(ds), quoteIdent(name)))
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
