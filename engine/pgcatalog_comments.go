package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/fhirlake/fhirlake/catalog"
)

// viewDescriptions is the part of a ViewDefinition that describes it:
// the view's description and its columns', at any depth of select.
type viewDescriptions struct {
	Description string         `json:"description"`
	Select      []selectDescrs `json:"select"`
}

type selectDescrs struct {
	Column []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"column"`
	Select   []selectDescrs `json:"select"`
	UnionAll []selectDescrs `json:"unionAll"`
}

// commentStatements returns the COMMENT statements that attach the
// descriptions of v's ViewDefinition to its DuckDB view in data store ds,
// where pg_description, obj_description, col_description and psql's \d+
// find them.
func commentStatements(ds string, v catalog.View) ([]string, error) {
	var d viewDescriptions
	if err := json.Unmarshal(v.Definition, &d); err != nil {
		return nil, fmt.Errorf("engine: view %s.%s: read descriptions: %w", ds, v.Name, err)
	}
	target, err := viewTarget(ds, v)
	if err != nil {
		return nil, err
	}
	var out []string
	if d.Description != "" {
		out = append(out, fmt.Sprintf("COMMENT ON VIEW %s IS %s", target, quoteLiteral(d.Description)))
	}
	seen := map[string]bool{}
	var walk func([]selectDescrs)
	walk = func(sels []selectDescrs) {
		for _, s := range sels {
			for _, c := range s.Column {
				if c.Description != "" && c.Name != "" && !seen[c.Name] {
					seen[c.Name] = true
					out = append(out, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", target, quoteIdent(c.Name), quoteLiteral(c.Description)))
				}
			}
			walk(s.Select)
			walk(s.UnionAll)
		}
	}
	walk(d.Select)
	return out, nil
}

// commentViews attaches the ViewDefinition descriptions of views to their
// DuckDB views (see commentStatements). Refresh calls it after
// (re)creating the views, which drops earlier comments. A description
// that cannot be attached is logged, not fatal: the data is still served.
func (e *Engine) commentViews(ctx context.Context, ds string, views []catalog.View) {
	for _, v := range views {
		if len(v.Files) == 0 || v.Kind == catalog.KindSearch {
			continue
		}
		stmts, err := commentStatements(ds, v)
		if err != nil {
			e.log.Warn("engine: view descriptions not shown", "datastore", ds, "view", v.Name, "err", err)
			continue
		}
		for _, s := range stmts {
			if _, err := e.admin.ExecContext(ctx, s); err != nil {
				e.log.Warn("engine: view description not shown", "datastore", ds, "view", v.Name, "err", err)
			}
		}
	}
}
