package ingest

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/fhirlake/fhirlake/ingest/csvmap"
	"github.com/fhirlake/fhirlake/store"
)

// IdentifierFinder is an optional capability of a [Sink] (*store.Store
// has it): finding the live resources of a type by business identifier.
// With it, a CSV mapping's found-or-created resources (csvmap's
// ifNoneExist) are found among the resources already stored; without it,
// only among those of the same import.
type IdentifierFinder interface {
	// FindByIdentifier returns the ids of the live resources of type typ
	// that have an identifier matching q, sorted.
	FindByIdentifier(ctx context.Context, typ string, q store.IdentifierQuery) ([]string, error)
}

// foundOrCreated resolves the found-or-created resources of CSV rows
// (csvmap.Output.IfNoneExist), as FHIR's If-None-Exist does: the first
// time an identifier is met in an import, the resources already stored
// are searched; if one matches, it is kept as it is and the row refers
// to it, otherwise the row's resource is created. Later rows with the
// same identifier refer to the same resource and create nothing. So the
// store ends with one resource per identifier (one Patient per MRN),
// across rows, files and re-runs, even before the resources of this
// import are committed.
type foundOrCreated struct {
	finder IdentifierFinder // nil when the sink cannot search
	// ids maps "Type?query" to the id resolved for it in this import.
	ids map[string]string
}

func newFoundOrCreated(sink Sink) *foundOrCreated {
	f, _ := sink.(IdentifierFinder)
	return &foundOrCreated{finder: f, ids: map[string]string{}}
}

// resolveRow resolves the found-or-created outputs of one row. It
// returns the rewrites of the row's conditional references
// ("Patient?identifier=..." -> "Patient/id") and which outputs are not
// to be recorded (found, or created by an earlier row). A non-empty
// reason rejects the row; err (a failed search) stops the import.
func (f *foundOrCreated) resolveRow(ctx context.Context, row []csvmap.Output) (refs map[string]string, skip []bool, reason string, err error) {
	skip = make([]bool, len(row))
	var added map[string]string // resolved by this row; kept only if it is not rejected
	for i, o := range row {
		if o.IfNoneExist == "" {
			continue
		}
		cond := o.Type + "?" + o.IfNoneExist
		id, known := f.ids[cond]
		if !known {
			var found bool
			if id, found, reason, err = f.search(ctx, o); err != nil || reason != "" {
				return nil, nil, reason, err
			}
			if added == nil {
				added = map[string]string{}
			}
			added[cond] = id
			known = found
		}
		skip[i] = known
		if refs == nil {
			refs = map[string]string{}
		}
		refs[cond] = o.Type + "/" + id
	}
	for cond, id := range added {
		f.ids[cond] = id
	}
	return refs, skip, "", nil
}

// search looks for the stored resources matching o's identifier query.
// It returns the id to refer to and whether it is already stored: the
// output's own id if it is among the matches (an earlier run created
// it), else the single match, else (no match) the output's id, to be
// created. Several matches that do not include the output reject it.
func (f *foundOrCreated) search(ctx context.Context, o csvmap.Output) (id string, found bool, reason string, err error) {
	if f.finder == nil {
		return o.ID, false, "", nil
	}
	q, err := identifierQuery(o.IfNoneExist)
	if err != nil {
		return "", false, fmt.Sprintf("resource %q: ifNoneExist %q: %v", o.Alias, o.IfNoneExist, err), nil
	}
	ids, err := f.finder.FindByIdentifier(ctx, o.Type, q)
	if err != nil {
		return "", false, "", fmt.Errorf("ingest: find %s?%s: %w", o.Type, o.IfNoneExist, err)
	}
	switch {
	case len(ids) == 0:
		return o.ID, false, "", nil
	case slices.Contains(ids, o.ID):
		return o.ID, true, "", nil
	case len(ids) == 1:
		return ids[0], true, "", nil
	}
	return "", false, fmt.Sprintf("resource %q: %s?%s matches %d stored resources (%s), so the row cannot tell which one it refers to",
		o.Alias, o.Type, o.IfNoneExist, len(ids), strings.Join(ids, ", ")), nil
}

// identifierQuery parses "identifier=system|value" (percent-encoded,
// with FHIR search escapes), as csvmap writes it.
func identifierQuery(raw string) (store.IdentifierQuery, error) {
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return store.IdentifierQuery{}, err
	}
	if len(vals) != 1 || len(vals["identifier"]) != 1 {
		return store.IdentifierQuery{}, fmt.Errorf("want one identifier=system|value parameter")
	}
	token := vals["identifier"][0]
	system, value, hasSystem := splitToken(token)
	q := store.IdentifierQuery{System: unescapeSearch(system), Value: unescapeSearch(value), AnySystem: !hasSystem}
	if q.Value == "" {
		return q, fmt.Errorf("the identifier has no value")
	}
	return q, nil
}

// splitToken splits a token search value at its first "|" that is not
// escaped with a backslash. Without one, the whole token is the value.
func splitToken(token string) (system, value string, ok bool) {
	for i := 0; i < len(token); i++ {
		switch token[i] {
		case '\\':
			i++
		case '|':
			return token[:i], token[i+1:], true
		}
	}
	return "", token, false
}

// unescapeSearch removes FHIR search escapes (\\ \| \, \$).
func unescapeSearch(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
