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
	pg, err := e.SearchPage(ctx, ds, p, limit, offset, count)
	return pg.IDs, pg.Total, err
}

// SearchPage is Search with the cursor of the next page: it reads one row
// more than limit to learn whether a next page exists, and takes the
// cursor from the sort key values of the page's last row, read by the
// same query as the page, so that the cursor is exact even while the
// index tables are refreshed between queries.
func (e *Engine) SearchPage(ctx context.Context, ds string, p *search.Plan, limit, offset int, count bool) (search.Page, error) {
	pg := search.Page{Total: -1}
	e.mu.RLock()
	attached := e.stores[ds]
	e.mu.RUnlock()
	if !attached {
		return pg, fmt.Errorf("engine: search: data store %q is not open", ds)
	}
	end := e.queries.begin()
	defer end()
	if limit > 0 {
		if err := e.page(ctx, p, limit, offset, &pg); err != nil {
			return pg, err
		}
	}
	if !count {
		return pg, nil
	}
	// A whole first page is every match: its length is the count, and a
	// small search (one patient's) is spared a second query.
	if limit > 0 && offset == 0 && p.FromStart() && pg.Next == "" {
		pg.Total = len(pg.IDs)
		return pg, nil
	}
	if err := e.db.QueryRowContext(ctx, p.Count, p.Args...).Scan(&pg.Total); err != nil {
		return pg, mapError(ctx, fmt.Errorf("engine: search count: %w", err))
	}
	return pg, nil
}

// page reads one page of p into pg.
func (e *Engine) page(ctx context.Context, p *search.Plan, limit, offset int, pg *search.Page) error {
	rows, err := e.db.QueryContext(ctx, p.IDs, p.IDArgs(limit+1, offset)...)
	if err != nil {
		return mapError(ctx, fmt.Errorf("engine: search: %w", err))
	}
	defer rows.Close()
	row := make([]any, p.Columns())
	dest := make([]any, len(row))
	for i := range row {
		dest[i] = &row[i]
	}
	var last []any
	for rows.Next() {
		if len(pg.IDs) == limit {
			if pg.Next, err = p.Cursor(last); err != nil {
				return fmt.Errorf("engine: search: %w", err)
			}
			break
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("engine: search: %w", err)
		}
		id, ok := row[0].(string)
		if !ok {
			return fmt.Errorf("engine: search: id of type %T", row[0])
		}
		pg.IDs = append(pg.IDs, id)
		last = append(last[:0], row...)
	}
	if err := rows.Err(); err != nil {
		return mapError(ctx, fmt.Errorf("engine: search: %w", err))
	}
	return nil
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
