package engine

import (
	"context"
	"fmt"

	"github.com/fhirlake/fhirlake/search"
)

// Search runs a plan of package search against data store ds: one page of
// the matching ids (limit, offset), and the number of matches when count
// is set (-1 otherwise). The plan's values are bound parameters.
func (e *Engine) Search(ctx context.Context, ds string, p *search.Plan, limit, offset int, count bool) ([]string, int, error) {
	e.mu.RLock()
	attached := e.stores[ds]
	e.mu.RUnlock()
	if !attached {
		return nil, 0, fmt.Errorf("engine: search: data store %q is not open", ds)
	}
	end := e.queries.begin()
	defer end()
	total := -1
	if count {
		if err := e.db.QueryRowContext(ctx, p.Count, p.Args...).Scan(&total); err != nil {
			return nil, 0, mapError(ctx, fmt.Errorf("engine: search count: %w", err))
		}
	}
	if limit <= 0 {
		return nil, total, nil
	}
	rows, err := e.db.QueryContext(ctx, p.IDs, p.IDArgs(limit, offset)...)
	if err != nil {
		return nil, 0, mapError(ctx, fmt.Errorf("engine: search: %w", err))
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, 0, fmt.Errorf("engine: search: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, mapError(ctx, fmt.Errorf("engine: search: %w", err))
	}
	return ids, total, nil
}

// SearchRefs runs a query of package search (IncludeSQL) that selects
// resource type and id pairs.
func (e *Engine) SearchRefs(ctx context.Context, ds, sql string, args []any) ([][2]string, error) {
	e.mu.RLock()
	attached := e.stores[ds]
	e.mu.RUnlock()
	if !attached {
		return nil, fmt.Errorf("engine: search: data store %q is not open", ds)
	}
	end := e.queries.begin()
	defer end()
	rows, err := e.db.QueryContext(ctx, sql, args...)
	if err != nil {
		return nil, mapError(ctx, fmt.Errorf("engine: search includes: %w", err))
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var typ, id string
		if err := rows.Scan(&typ, &id); err != nil {
			return nil, fmt.Errorf("engine: search includes: %w", err)
		}
		out = append(out, [2]string{typ, id})
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(ctx, fmt.Errorf("engine: search includes: %w", err))
	}
	return out, nil
}
