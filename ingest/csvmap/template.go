package csvmap

import (
	"fmt"
	"strings"
)

// template is a text with {{row.COLUMN}} placeholders, used for ids and
// for fields built from several cells.
type template struct {
	parts []tplPart
}

// tplPart is literal text, or a column placeholder when col is set.
type tplPart struct {
	lit string
	col string
}

// parseTemplate parses "lab-{{row.ACCESSION}}". Spaces inside the braces
// are ignored; the column name runs to the closing braces.
func parseTemplate(s string) (*template, error) {
	t := &template{}
	for rest := s; rest != ""; {
		open := strings.Index(rest, "{{")
		if open < 0 {
			if strings.Contains(rest, "}}") {
				return nil, fmt.Errorf("template %q: \"}}\" without \"{{\"", s)
			}
			t.parts = append(t.parts, tplPart{lit: rest})
			break
		}
		if open > 0 {
			if strings.Contains(rest[:open], "}}") {
				return nil, fmt.Errorf("template %q: \"}}\" without \"{{\"", s)
			}
			t.parts = append(t.parts, tplPart{lit: rest[:open]})
		}
		end := strings.Index(rest[open:], "}}")
		if end < 0 {
			return nil, fmt.Errorf("template %q: \"{{\" is not closed", s)
		}
		inner := strings.TrimSpace(rest[open+2 : open+end])
		col, ok := strings.CutPrefix(inner, "row.")
		if !ok || strings.TrimSpace(col) == "" || strings.Contains(col, "{{") {
			return nil, fmt.Errorf("template %q: expected {{row.COLUMN}}, found {{%s}}", s, inner)
		}
		t.parts = append(t.parts, tplPart{col: strings.TrimSpace(col)})
		rest = rest[open+end+2:]
	}
	if len(t.columns()) == 0 {
		return nil, fmt.Errorf("template %q names no column ({{row.COLUMN}})", s)
	}
	return t, nil
}

// columns lists the columns the template reads, in order.
func (t *template) columns() []string {
	var cols []string
	for _, p := range t.parts {
		if p.col != "" {
			cols = append(cols, p.col)
		}
	}
	return cols
}

// render fills the placeholders with cell(col). It reports the first
// empty column and whether any column was filled; empty cells render as
// nothing.
func (t *template) render(cell func(col string) string) (text, empty string, filled bool) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.col == "" {
			b.WriteString(p.lit)
			continue
		}
		v := cell(p.col)
		if v == "" && empty == "" {
			empty = p.col
		}
		filled = filled || v != ""
		b.WriteString(v)
	}
	return b.String(), empty, filled
}
