package search

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// A Plan is the SQL of one search over the index tables (see index.go),
// with its values as bound parameters ($1, $2, ...): no value of the
// request is ever written into the SQL text. The tables are named
// "<datastore>".search."<type>" (lower case), where the engine serves them.
type Plan struct {
	// IDs selects the ids of the matches, sorted, one page; its
	// parameters are IDArgs.
	IDs string
	// Count selects the number of matches.
	Count string
	Args  []any // the parameters of Count
	// idArgs are the parameters of IDs before limit and offset (Args
	// and, with a cursor, the cursor).
	idArgs []any
}

// IDArgs returns the parameters of IDs for a page.
func (p *Plan) IDArgs(limit, offset int) []any {
	return append(append([]any(nil), p.idArgs...), limit, offset)
}

// NewPlan builds the SQL of q. Every criterion becomes a set of ids; the
// sets are intersected. It fails with a *QueryError for what the planner
// does not support yet.
func NewPlan(q *Query, datastore string) (*Plan, error) {
	if !validDatastore(datastore) {
		return nil, fmt.Errorf("search: invalid data store name %q", datastore)
	}
	b := &planBuilder{db: datastore}
	// The sets of the restrictions are intersected; without any, the set
	// is every resource of the type (every resource has an _id row).
	var sets []string
	if c := q.Compartment; c != nil {
		var parts []string
		if len(c.Params) > 0 {
			codes := make([]string, len(c.Params))
			for i, p := range c.Params {
				codes[i] = b.arg(p)
			}
			parts = append(parts, fmt.Sprintf("SELECT id FROM %s WHERE param IN (%s) AND ref_type = %s AND ref_id = %s",
				b.table(q.Type), strings.Join(codes, ", "), b.arg(c.Type), b.arg(c.ID)))
		}
		if c.Type == q.Type {
			parts = append(parts, "SELECT "+b.arg(c.ID)+"::VARCHAR AS id")
		}
		sets = append(sets, "("+strings.Join(parts, " UNION ")+")")
	}
	for i := range q.Criteria {
		s, err := b.criterion(q.Type, &q.Criteria[i])
		if err != nil {
			return nil, err
		}
		sets = append(sets, "("+s+")")
	}
	set := "SELECT id FROM " + b.table(q.Type) + " WHERE param = '_id'"
	switch len(sets) {
	case 0:
	case 1:
		set = "SELECT DISTINCT id FROM " + sets[0]
	default:
		set = strings.Join(sets, " INTERSECT ")
	}
	order, err := b.order(q)
	if err != nil {
		return nil, err
	}
	p := &Plan{Count: "SELECT count(*) FROM (" + set + ")", Args: b.args}
	where := ""
	if q.After != "" && len(q.Sort) == 0 {
		// Keyset paging; the count above is of all matches.
		where = " WHERE m.id > " + b.arg(q.After)
	}
	n := len(b.args)
	p.IDs = fmt.Sprintf("SELECT m.id FROM (%s) m%s%s LIMIT $%d OFFSET $%d", set, where, order, n+1, n+2)
	p.idArgs = b.args
	return p, nil
}

// validDatastore accepts the data store names the catalog allows, which
// need no escaping inside double quotes.
func validDatastore(s string) bool {
	if s == "" || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

type planBuilder struct {
	db   string
	args []any
}

// table is the qualified index table of a resource type (a known R4
// type name, lower-cased: no quoting issue).
func (b *planBuilder) table(typ string) string {
	return `"` + b.db + `".search."` + strings.ToLower(typ) + `"`
}

// arg binds v and returns its placeholder.
func (b *planBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

// criterion returns a query selecting the ids of typ that meet c.
func (b *planBuilder) criterion(typ string, c *Criterion) (string, error) {
	t := b.table(typ)
	name := c.Param.Code
	switch {
	case c.Has != nil:
		inner, err := b.criterion(c.Has.Type, &c.Has.Criterion)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("SELECT ref_id AS id FROM %s WHERE param = %s AND ref_type = %s AND id IN (%s)",
			b.table(c.Has.Type), b.arg(c.Has.Ref.Code), b.arg(typ), inner), nil
	case c.Chain != nil:
		var alts []string
		for _, target := range c.Targets {
			inner, err := b.criterion(target, c.Chain)
			if err != nil {
				return "", err
			}
			alts = append(alts, fmt.Sprintf("(ref_type = %s AND ref_id IN (%s))", b.arg(target), inner))
		}
		return fmt.Sprintf("SELECT id FROM %s WHERE param = %s AND (%s)", t, b.arg(name), strings.Join(alts, " OR ")), nil
	case c.Missing != nil:
		has := fmt.Sprintf("SELECT id FROM %s WHERE param = %s", t, b.arg(name))
		if *c.Missing {
			return fmt.Sprintf("SELECT id FROM %s EXCEPT %s", t, has), nil
		}
		return has, nil
	}
	var ors []string
	for _, v := range c.Values {
		cond, err := b.value(c.Param, c.Modifier, v)
		if err != nil {
			return "", err
		}
		ors = append(ors, "("+cond+")")
	}
	match := fmt.Sprintf("SELECT id FROM %s WHERE param = %s AND (%s)", t, b.arg(name), strings.Join(ors, " OR "))
	if c.Modifier == "not" {
		return fmt.Sprintf("SELECT id FROM %s EXCEPT %s", t, match), nil
	}
	return match, nil
}

// value returns the condition one value puts on an index row of p.
func (b *planBuilder) value(p *Param, mod string, v Value) (string, error) {
	unsupported := func(what string) error {
		return &QueryError{p.Code, what + " is not supported yet"}
	}
	switch p.Type {
	case Token:
		switch mod {
		case "", "not":
		case "text":
			return "contains(text, " + b.arg(v.Norm) + ")", nil
		default:
			return "", unsupported("the :" + mod + " modifier")
		}
		return b.token(v), nil
	case String:
		switch mod {
		case "":
			return "starts_with(str, " + b.arg(v.Norm) + ")", nil
		case "contains":
			return "contains(str, " + b.arg(v.Norm) + ")", nil
		case "exact":
			return "raw = " + b.arg(unescape(v.Raw)), nil
		}
	case URI:
		switch mod {
		case "":
			return "raw = " + b.arg(v.URL), nil
		case "below":
			return "starts_with(raw, " + b.arg(v.URL) + ")", nil
		case "above":
			return "starts_with(" + b.arg(v.URL) + ", raw)", nil
		}
	case Reference:
		if mod == "identifier" {
			return b.token(v), nil
		}
		if v.URL != "" && v.RefID == "" {
			return "raw = " + b.arg(v.URL), nil
		}
		cond := "ref_id = " + b.arg(v.RefID)
		if v.RefType != "" {
			cond += " AND ref_type = " + b.arg(v.RefType)
		}
		return cond, nil
	case Date:
		return b.ranged("t_lo", "t_hi", v.Prefix, v.Low, v.High, dateSlack(v)), nil
	case Number:
		return b.numeric("n", v.Prefix, v.Number, v.NumLow, v.NumHigh), nil
	case Quantity:
		if v.CanonicalCode != "" {
			scale := v.CanonicalValue / nonZero(v.Number)
			return "c_code = " + b.arg(v.CanonicalCode) + " AND " +
				b.numeric("c_n", v.Prefix, v.CanonicalValue, v.NumLow*scale, v.NumHigh*scale), nil
		}
		cond := b.numeric("n", v.Prefix, v.Number, v.NumLow, v.NumHigh)
		if v.Unit != "" {
			u := b.arg(v.Unit)
			cond += " AND (code = " + u + " OR text = " + u + ")"
		}
		if v.System != "" {
			cond += " AND sys = " + b.arg(v.System)
		}
		return cond, nil
	case Composite:
		if len(v.Parts) != len(p.Components) {
			return "", unsupported("this composite parameter")
		}
		var conds []string
		tokens := 0
		for i, part := range v.Parts {
			comp := p.Components[i]
			if comp.Type == Token {
				tokens++
				if tokens == 2 {
					conds = append(conds, b.tokenIn(part, "sys2", "code2"))
					continue
				}
			}
			c, err := b.value(&Param{Code: p.Code, Type: comp.Type}, "", part)
			if err != nil {
				return "", err
			}
			conds = append(conds, "("+c+")")
		}
		return strings.Join(conds, " AND "), nil
	}
	return "", unsupported(fmt.Sprintf("the :%s modifier on a %s parameter", mod, p.Type))
}

func nonZero(x float64) float64 {
	if x == 0 {
		return 1
	}
	return x
}

// token matches system|code, |code or code.
func (b *planBuilder) token(v Value) string { return b.tokenIn(v, "sys", "code") }

// tokenIn matches a token in the given system and code columns.
func (b *planBuilder) tokenIn(v Value, sys, code string) string {
	switch {
	case !v.HasSystem:
		return code + " = " + b.arg(v.Code)
	case v.Code == "":
		return sys + " = " + b.arg(v.System)
	case v.System == "":
		return sys + " IS NULL AND " + code + " = " + b.arg(v.Code)
	}
	return sys + " = " + b.arg(v.System) + " AND " + code + " = " + b.arg(v.Code)
}

// ranged compares an indexed range [lo, hi] of a date with the search
// value's range [low, high] by prefix (https://hl7.org/fhir/R4/search.html#prefix).
func (b *planBuilder) ranged(lo, hi string, p Prefix, low, high time.Time, slack time.Duration) string {
	// Bind only what the condition uses: DuckDB wants every placeholder
	// up to the highest used.
	L := func() string { return b.arg(low) }
	H := func() string { return b.arg(high) }
	switch p {
	case NE:
		return fmt.Sprintf("NOT (%s >= %s AND %s <= %s)", lo, L(), hi, H())
	case GT:
		return fmt.Sprintf("%s > %s", hi, H())
	case LT:
		return fmt.Sprintf("%s < %s", lo, L())
	case GE:
		return fmt.Sprintf("%s >= %s", hi, L())
	case LE:
		return fmt.Sprintf("%s <= %s", lo, H())
	case SA:
		return fmt.Sprintf("%s > %s", lo, H())
	case EB:
		return fmt.Sprintf("%s < %s", hi, L())
	case AP:
		return fmt.Sprintf("%s <= %s AND %s >= %s", lo, b.arg(high.Add(slack)), hi, b.arg(low.Add(-slack)))
	}
	return fmt.Sprintf("%s >= %s AND %s <= %s", lo, L(), hi, H())
}

// dateSlack is how far ap reaches: 10% of the distance from now, at
// least a day.
func dateSlack(v Value) time.Duration {
	d := time.Since(v.Low)
	if d < 0 {
		d = -d
	}
	return max(d/10, 24*time.Hour)
}

// numeric compares an indexed number col with a search value by prefix:
// equality is the search value's implicit range [low, high).
func (b *planBuilder) numeric(col string, p Prefix, v, low, high float64) string {
	switch p {
	case NE:
		return fmt.Sprintf("NOT (%s >= %s AND %s < %s)", col, b.arg(low), col, b.arg(high))
	case GT, SA:
		return fmt.Sprintf("%s > %s", col, b.arg(v))
	case LT, EB:
		return fmt.Sprintf("%s < %s", col, b.arg(v))
	case GE:
		return fmt.Sprintf("%s >= %s", col, b.arg(v))
	case LE:
		return fmt.Sprintf("%s <= %s", col, b.arg(v))
	case AP:
		d := math.Abs(v) / 10
		return fmt.Sprintf("%s BETWEEN %s AND %s", col, b.arg(v-d), b.arg(v+d))
	}
	return fmt.Sprintf("%s >= %s AND %s < %s", col, b.arg(low), col, b.arg(high))
}

// order is the ORDER BY of _sort: each key is the smallest (or, descending,
// the largest) indexed value of its parameter; ties and missing values
// fall back to the id, so pages are stable.
func (b *planBuilder) order(q *Query) (string, error) {
	var keys []string
	for _, k := range q.Sort {
		col := map[Type]string{String: "str", Token: "code", Date: "t_lo", Number: "n", Quantity: "n", URI: "raw", Reference: "ref_id"}[k.Param.Type]
		if col == "" {
			return "", &QueryError{"_sort", fmt.Sprintf("cannot sort on %q", k.Param.Code)}
		}
		agg, dir := "min", "ASC NULLS LAST"
		if k.Desc {
			agg, dir = "max", "DESC NULLS LAST"
		}
		keys = append(keys, fmt.Sprintf("(SELECT %s(%s) FROM %s s WHERE s.id = m.id AND s.param = %s) %s",
			agg, col, b.table(q.Type), b.arg(k.Param.Code), dir))
	}
	keys = append(keys, "m.id")
	return " ORDER BY " + strings.Join(keys, ", "), nil
}
