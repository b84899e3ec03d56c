package api

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

// errCriteria marks search criteria the conditional interactions cannot
// evaluate; it becomes a 400.
var errCriteria = errors.New("unsupported search criteria")

// conditionalParams are the search parameters conditional interactions
// (If-None-Exist, conditional update and delete, conditional references)
// understand until the general search lands.
const conditionalParams = "_id and identifier"

// parseCriteria parses the query part of a conditional interaction. It
// ignores the result parameters (_format, _pretty) and refuses an empty
// one.
func parseCriteria(raw string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCriteria, err)
	}
	for _, k := range []string{"_format", "_pretty", "_summary", "_elements"} {
		q.Del(k)
	}
	if len(q) == 0 {
		return nil, fmt.Errorf("%w: a conditional interaction needs search criteria (%s)", errCriteria, conditionalParams)
	}
	return q, nil
}

// match returns the ids of the live resources of typ meeting every
// criterion, sorted.
func match(ctx context.Context, st Store, typ string, q url.Values) ([]string, error) {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ids []string
	first := true
	for _, k := range keys {
		for _, v := range q[k] {
			got, err := matchOne(ctx, st, typ, k, v)
			if err != nil {
				return nil, err
			}
			if first {
				ids, first = got, false
			} else {
				ids = slices.DeleteFunc(ids, func(id string) bool { _, ok := slices.BinarySearch(got, id); return !ok })
			}
		}
	}
	return ids, nil
}

// matchOne evaluates one criterion; a comma in the value means any of
// the values (FHIR's OR).
func matchOne(ctx context.Context, st Store, typ, param, value string) ([]string, error) {
	var ids []string
	for _, v := range strings.Split(value, ",") {
		var got []string
		switch param {
		case "_id":
			if !fhir.ValidID(v) {
				return nil, fmt.Errorf("%w: _id %q is not a valid id", errCriteria, v)
			}
			r, err := st.Read(ctx, typ, v)
			switch {
			case err == nil:
				got = []string{r.ID}
			case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrDeleted):
			default:
				return nil, err
			}
		case "identifier":
			q := store.IdentifierQuery{Value: v, AnySystem: true}
			if sys, val, ok := strings.Cut(v, "|"); ok {
				q = store.IdentifierQuery{System: sys, Value: val}
			}
			if q.Value == "" {
				return nil, fmt.Errorf("%w: identifier %q has no value", errCriteria, v)
			}
			var err error
			if got, err = st.FindByIdentifier(ctx, typ, q); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: parameter %q (conditional interactions support %s)", errCriteria, param, conditionalParams)
		}
		ids = append(ids, got...)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
