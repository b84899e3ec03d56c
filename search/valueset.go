package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ValueSets resolves the value sets of the token modifiers :in and
// :not-in (https://hl7.org/fhir/R4/search.html#token). Package search does
// not read resources itself; the server implements ValueSets over the
// ValueSet resources it holds and passes it to [Query.ResolveValueSets]
// before planning.
type ValueSets interface {
	// Expand returns the codes of the value set named by ref: a canonical
	// URL (with an optional |version) or a ValueSet/id reference. It
	// returns an error wrapping ErrUnknownValueSet when the server has no
	// such value set, and a *QueryError (or an error wrapping
	// ErrUnsupportedValueSet) for one it cannot expand.
	Expand(ctx context.Context, ref string) (*Expansion, error)
}

// ErrUnknownValueSet is wrapped by ValueSets.Expand for a value set the
// server does not hold.
var ErrUnknownValueSet = errors.New("search: unknown value set")

// ErrUnsupportedValueSet is wrapped by ValueSets.Expand for a value set
// whose definition the server cannot evaluate (a compose filter).
var ErrUnsupportedValueSet = errors.New("search: value set cannot be expanded")

// Coding is one code of a code system.
type Coding struct {
	System string
	Code   string
}

// Expansion is what a value set contains: the codes Codes, and every code
// of the code systems Systems except the codes Excluded. A token matches
// when its system and code are in Codes, or its system is in Systems and
// its (system, code) not in Excluded.
type Expansion struct {
	Codes    []Coding
	Systems  []string
	Excluded []Coding
}

// ResolveValueSets expands the value set of every :in and :not-in value
// of q (also inside chains and reverse chains) with vs, for NewPlan. An
// unknown value set or one that cannot be expanded is a *QueryError
// naming the parameter and the value set.
func (q *Query) ResolveValueSets(ctx context.Context, vs ValueSets) error {
	for i := range q.Criteria {
		if err := resolveCriterion(ctx, vs, &q.Criteria[i]); err != nil {
			return err
		}
	}
	return nil
}

func resolveCriterion(ctx context.Context, vs ValueSets, c *Criterion) error {
	switch {
	case c.Chain != nil:
		return resolveCriterion(ctx, vs, c.Chain)
	case c.Has != nil:
		return resolveCriterion(ctx, vs, &c.Has.Criterion)
	case c.Modifier != "in" && c.Modifier != "not-in":
		return nil
	}
	name := c.Param.Code + ":" + c.Modifier
	for i := range c.Values {
		v := &c.Values[i]
		if vs == nil {
			return &QueryError{name, "value sets are not available on this server"}
		}
		exp, err := vs.Expand(ctx, v.URL)
		var qe *QueryError
		switch {
		case errors.As(err, &qe):
			return err
		case errors.Is(err, ErrUnknownValueSet):
			return &QueryError{name, fmt.Sprintf("the value set %q is not known to this server", v.URL)}
		case errors.Is(err, ErrUnsupportedValueSet):
			why := strings.TrimSuffix(err.Error(), ": "+ErrUnsupportedValueSet.Error())
			return &QueryError{name, fmt.Sprintf("the value set %q cannot be expanded: %s", v.URL, why)}
		case err != nil:
			return fmt.Errorf("search: %s value set %q: %w", name, v.URL, err)
		case exp == nil:
			exp = &Expansion{}
		}
		v.Expansion = exp
	}
	return nil
}

// inValueSet is the condition of one :in value on an index row: the
// expansion's lists are bound as JSON arrays, so that any number of codes
// is one parameter each and no code is written into the SQL.
func (b *planBuilder) inValueSet(p *Param, v Value) (string, error) {
	e := v.Expansion
	if e == nil {
		return "", &QueryError{p.Code, fmt.Sprintf("the value set %q was not resolved", v.URL)}
	}
	key := "coalesce(sys, '') || '|' || coalesce(code, '')"
	list := func(items []string) string {
		js, _ := json.Marshal(items) // []string always marshals
		return "(SELECT unnest(CAST(CAST(" + b.arg(string(js)) + " AS JSON) AS VARCHAR[])))"
	}
	var ors []string
	if len(e.Codes) > 0 {
		ors = append(ors, key+" IN "+list(codingKeys(e.Codes)))
		// A code primitive (Patient.gender) is indexed without its
		// system, which its binding implies: it matches by code.
		codes := make([]string, len(e.Codes))
		for i, c := range e.Codes {
			codes[i] = c.Code
		}
		ors = append(ors, "(sys IS NULL AND code IN "+list(codes)+")")
	}
	if len(e.Systems) > 0 {
		cond := "sys IN " + list(e.Systems)
		if len(e.Excluded) > 0 {
			cond += " AND " + key + " NOT IN " + list(codingKeys(e.Excluded))
		}
		ors = append(ors, "("+cond+")")
	}
	if len(ors) == 0 {
		return "false", nil // an empty value set
	}
	return strings.Join(ors, " OR "), nil
}

// codingKeys are the system|code keys the plan compares with the index
// rows' (a system holding '|' could collide; URIs do not in practice).
func codingKeys(cs []Coding) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.System + "|" + c.Code
	}
	return out
}
