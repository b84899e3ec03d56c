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
	// IDs selects one page of the matches, sorted: the id, then, for a
	// sorted search, the value of each sort key (see Cursor); its
	// parameters are IDArgs.
	IDs string
	// Count selects the number of matches.
	Count string
	Args  []any // the parameters of Count
	// idArgs are the parameters of IDs before limit and offset (Args
	// and, with a cursor, the cursor).
	idArgs []any
	sort   string // the sort signature of cursors (see sortSignature)
	// fromStart is set when IDs pages from the first match (no cursor).
	fromStart bool
	kinds     []keyKind // the type of each sort key column of IDs
}

// IDArgs returns the parameters of IDs for a page.
func (p *Plan) IDArgs(limit, offset int) []any {
	return append(append([]any(nil), p.idArgs...), limit, offset)
}

// NewPlan builds the SQL of q. Every criterion becomes a set of ids; the
// sets are intersected. It fails with a *QueryError for what the planner
// does not support yet, and for a q.After that is not a cursor of this
// search.
//
// Pages are cut by keyset, not by position, so that a client following
// next links while resources are written sees each resource once:
// q.After is the cursor of the last row of the previous page (see
// Plan.Cursor), and the page starts after that row in the sort order
// (sort keys, then id), whatever was inserted or removed before it. The
// guarantee, for a walk over the next links from the first page: a
// resource that exists and matches, with the same sort key values,
// during the whole walk is on exactly one page; no page repeats a
// resource of an earlier page unless its sort keys changed; resources
// created, updated or deleted during the walk may or may not appear.
// q.Offset still skips rows after the cursor, for clients that page by
// _offset; such pages shift when rows before them come and go. The
// count (Count) is taken when each page is served: it may differ from
// page to page.
func NewPlan(q *Query, datastore string) (*Plan, error) {
	if !validDatastore(datastore) {
		return nil, fmt.Errorf("search: invalid data store name %q", datastore)
	}
	b := &planBuilder{db: datastore, main: q.Type}
	if pat, ok := pinnedPatient(q); ok {
		b.pat = b.arg(pat)
	}
	set, err := b.matches(q)
	if err != nil {
		return nil, err
	}
	// The count takes the parameters bound so far, and no more: the
	// sort and the cursor bind theirs after.
	p := &Plan{Count: "SELECT count(*) FROM (" + set + ")", Args: b.args[:len(b.args):len(b.args)], sort: sortSignature(q.Sort)}
	keys, err := b.order(q)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		p.kinds = append(p.kinds, k.kind)
	}
	if p.IDs, err = b.page(set, keys, q, p.sort); err != nil {
		return nil, err
	}
	p.idArgs = b.args
	p.fromStart = q.After == ""
	return p, nil
}

// matches returns a query selecting the ids of the resources of q.Type
// that meet every criterion of q.
func (b *planBuilder) matches(q *Query) (string, error) {
	// A lone criterion on a parameter with one row per resource selects
	// each match once: no DISTINCT (see Param.oneRow), as long as the
	// copies of a resource about several patients are left out (pinned,
	// pat does it).
	oneRow := q.Compartment == nil && len(q.Criteria) == 1 && oneRowCriterion(&q.Criteria[0])
	b.noDup = oneRow && b.pat == ""
	defer func() { b.noDup = false }()
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
			return "", err
		}
		sets = append(sets, "("+s+")")
	}
	// (Rows are repeated, dup set, for each further patient a resource
	// is about: the other sets are sets, this one skips the copies.)
	set := "SELECT id FROM " + b.table(q.Type) + " WHERE param = '_id' AND dup IS NULL"
	switch len(sets) {
	case 0:
	case 1:
		if oneRow {
			set = "SELECT id FROM " + sets[0]
		} else {
			set = "SELECT DISTINCT id FROM " + sets[0]
		}
	default:
		set = strings.Join(sets, " INTERSECT ")
	}
	return set, nil
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
	db    string
	args  []any
	main  string // the searched type
	pat   string // placeholder of the pinned patient, or ""
	noDup bool   // leave out the copies of rows (see matches)
}

// table is the index table of a resource type (a known R4 type name,
// lower-cased: no quoting issue). When the search is pinned to one
// patient, the searched type's table is narrowed to the rows whose pat
// is that patient: every resource the patient's reference criterion can
// match has a whole copy of its rows there (see patientsOf), so the
// narrowing is exact. Clustered index files keep those rows together
// within each value, so one equality lets DuckDB skip the rest of a file
// by row group statistics (an IN list or an OR would not).
func (b *planBuilder) table(typ string) string {
	t := `"` + b.db + `".search."` + strings.ToLower(typ) + `"`
	switch {
	case b.pat != "" && typ == b.main:
		return "(SELECT * FROM " + t + " WHERE pat = " + b.pat + ")"
	case b.noDup && typ == b.main:
		return "(SELECT * FROM " + t + " WHERE dup IS NULL)"
	}
	return t
}

// oneRowCriterion reports whether c's set has each match once: a value
// or chain criterion (no _has, :missing, :not or :not-in, whose sets are
// built otherwise) on a one-row parameter.
func oneRowCriterion(c *Criterion) bool {
	if c.Has != nil || c.Missing != nil || c.Modifier == "not" || c.Modifier == "not-in" {
		return false
	}
	return c.Param.oneRow()
}

// pinnedPatient returns the patient that every match of q must refer to
// as a Patient (through a reference search parameter), or be, if q says
// so: a compartment search of a Patient, an AND-ed reference criterion
// with one Patient/id value and no modifier, or, for Patient, one _id.
// Such a resource has a copy of its rows whose pat column is that
// patient (see patientsOf).
func pinnedPatient(q *Query) (string, bool) {
	if c := q.Compartment; c != nil && c.Type == "Patient" {
		return c.ID, true
	}
	for _, c := range q.Criteria {
		if c.Chain != nil || c.Has != nil || c.Missing != nil || len(c.Values) != 1 {
			continue
		}
		v := c.Values[0]
		switch {
		case c.Param.Type == Reference && (c.Modifier == "" || c.Modifier == "Patient") &&
			v.RefType == "Patient" && v.RefID != "":
			return v.RefID, true
		case q.Type == "Patient" && c.Param.Code == "_id" && c.Modifier == "" && v.Code != "":
			return v.Code, true
		}
	}
	return "", false
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
	case c.Param == listParam:
		return b.list(typ, c), nil
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
	if c.Modifier == "not" || c.Modifier == "not-in" {
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
		case "of-type":
			return b.tokenIn(v, "sys2", "code2") + " AND code = " + b.arg(v.Ident), nil
		case "in", "not-in":
			return b.inValueSet(p, v)
		default:
			return "", unsupported("the :" + mod + " modifier")
		}
		return b.token(v), nil
	case String:
		if p.Code == textParam || p.Code == contentParam {
			// Full-text parameters match anywhere (extract_text.go).
			if mod != "" && mod != "contains" {
				return "", unsupported("the :" + mod + " modifier on " + p.Code)
			}
			return "contains(str, " + b.arg(v.Norm) + ")", nil
		}
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
		if v.URL != "" {
			// A canonical URL is indexed as written, with no id (its
			// tail need not be one): match the URL too.
			cond = "raw = " + b.arg(v.URL) + " OR (" + cond + ")"
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
				b.quantityIn("c_n", "c_lo", "c_hi", v.Prefix, v.CanonicalValue, v.NumLow*scale, v.NumHigh*scale), nil
		}
		cond := b.quantityIn("n", "n_lo", "n_hi", v.Prefix, v.Number, v.NumLow, v.NumHigh)
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
		tokens, numbers := 0, 0
		for i, part := range v.Parts {
			comp := p.Components[i]
			if comp.Type == Token {
				tokens++
				if tokens == 2 {
					conds = append(conds, b.tokenIn(part, "sys2", "code2"))
					continue
				}
			}
			if comp.Type == Number {
				numbers++
				if numbers == 2 { // in the canonical quantity columns (see compositeRow)
					conds = append(conds, b.numeric("c_n", part.Prefix, part.Number, part.NumLow, part.NumHigh))
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
	case Special:
		if v.Near != nil && mod == "" {
			return b.near(v.Near), nil
		}
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

// quantityIn compares a quantity search value with an indexed Quantity
// (col) or, where col is null, an indexed Range [lo, hi] (a missing bound
// is null: unbounded), the range like a date's (see ranged).
func (b *planBuilder) quantityIn(col, lo, hi string, p Prefix, v, low, high float64) string {
	return fmt.Sprintf("((%s IS NOT NULL AND %s) OR (%s IS NULL AND %s))", col, b.numeric(col, p, v, low, high), col, b.rangedNum(lo, hi, p, v, low, high))
}

// rangedNum compares an indexed number range [lo, hi] with a search
// value's range [low, high) by prefix, as ranged does dates; ap reaches
// 10% of the value either side.
func (b *planBuilder) rangedNum(lo, hi string, p Prefix, v, low, high float64) string {
	lo = "coalesce(" + lo + ", '-infinity'::DOUBLE)"
	hi = "coalesce(" + hi + ", 'infinity'::DOUBLE)"
	L := func() string { return b.arg(low) }
	H := func() string { return b.arg(high) }
	switch p {
	case NE:
		return fmt.Sprintf("NOT (%s >= %s AND %s <= %s)", lo, L(), hi, H())
	case GT:
		return fmt.Sprintf("%s > %s", hi, b.arg(v))
	case LT:
		return fmt.Sprintf("%s < %s", lo, b.arg(v))
	case GE:
		return fmt.Sprintf("%s >= %s", hi, b.arg(v))
	case LE:
		return fmt.Sprintf("%s <= %s", lo, b.arg(v))
	case SA:
		return fmt.Sprintf("%s > %s", lo, b.arg(v))
	case EB:
		return fmt.Sprintf("%s < %s", hi, b.arg(v))
	case AP:
		d := math.Abs(v) / 10
		return fmt.Sprintf("%s <= %s AND %s >= %s", lo, b.arg(v+d), hi, b.arg(v-d))
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
