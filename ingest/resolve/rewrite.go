package resolve

import (
	"bytes"
	"context"
	"slices"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/store"
)

// unresolvedRef is a reference resolveBody left as it was.
type unresolvedRef struct {
	path, value, reason string
}

// edit replaces body[start:end] with repl.
type edit struct {
	start, end int
	repl       []byte
}

// resolveBody rewrites the references of a resource body it can resolve
// and returns the new body (body itself when nothing changed) and the
// references it could not resolve. A body that cannot hold a conditional,
// identifier-only or aliased reference is returned at once. Paths are
// only computed when withPaths is set (a full walk of the document).
func (s *Sink) resolveBody(ctx context.Context, typ string, body []byte, withPaths bool) ([]byte, []unresolvedRef, error) {
	identObj := hasIdentifierObject(body)
	if !withPaths && !identObj && len(s.alias) == 0 && bytes.IndexByte(body, '?') < 0 {
		return body, nil, nil
	}
	var sites []site
	if withPaths || identObj {
		var err error
		if sites, err = walk(body, typ); err != nil {
			return nil, nil, err
		}
	} else {
		for _, r := range scanRefs(body) {
			sites = append(sites, site{start: r.start, end: r.end, value: r.value})
		}
	}
	var edits []edit
	var unresolved []unresolvedRef
	for _, st := range sites {
		e, reason, err := s.resolveSite(ctx, st)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case e != nil:
			edits = append(edits, *e)
			s.rep.Resolved++
		case reason != "":
			v := st.value
			if st.identOnly {
				v = "identifier " + st.ident.String()
				if t := st.refType; t != "" {
					v = t + " " + v
				}
			}
			unresolved = append(unresolved, unresolvedRef{path: st.path, value: v, reason: reason})
		}
	}
	return applyEdits(body, edits), unresolved, nil
}

// resolveSite returns the edit resolving one reference, or the reason it
// stays unresolved; neither for a reference that needs nothing.
func (s *Sink) resolveSite(ctx context.Context, st site) (*edit, string, error) {
	if st.identOnly {
		typ := st.refType
		if typ == "" {
			typ = targetType(st.path)
		}
		if !fhir.IsResourceType(typ) {
			return nil, ReasonNoType, nil
		}
		q := store.IdentifierQuery{System: st.ident.System, Value: st.ident.Value, AnySystem: st.ident.System == ""}
		id, reason, err := s.find(ctx, typ, q)
		if id == "" {
			return nil, reason, err
		}
		repl := append(append([]byte(`"reference":`), literal(typ, id)...), ',')
		return &edit{start: st.obj + 1, end: st.obj + 1, repl: repl}, "", nil
	}
	if to, ok := s.alias[st.value]; ok {
		typ, _, _ := strings.Cut(st.value, "/")
		return &edit{start: st.start, end: st.end, repl: literal(typ, to)}, "", nil
	}
	if !isConditional(st.value) {
		return nil, "", nil
	}
	c, ok := parseConditional(st.value)
	if !ok {
		return nil, ReasonUnsupported, nil
	}
	id, reason, err := s.find(ctx, c.typ, c.q)
	if id == "" {
		return nil, reason, err
	}
	return &edit{start: st.start, end: st.end, repl: literal(c.typ, id)}, "", nil
}

// find returns the one id of type typ matching q, or the reason there is
// none.
func (s *Sink) find(ctx context.Context, typ string, q store.IdentifierQuery) (string, string, error) {
	ids, err := s.idx.lookup(ctx, typ, q)
	switch {
	case err != nil:
		return "", "", err
	case len(ids) == 0:
		return "", ReasonUnresolved, nil
	case len(ids) > 1:
		return "", ReasonAmbiguous, nil
	}
	return ids[0], "", nil
}

// applyEdits returns body with the edits applied (body itself if none).
func applyEdits(body []byte, edits []edit) []byte {
	if len(edits) == 0 {
		return body
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	out := make([]byte, 0, len(body)+32*len(edits))
	at := 0
	for _, e := range edits {
		out = append(out, body[at:e.start]...)
		out = append(out, e.repl...)
		at = e.end
	}
	return append(out, body[at:]...)
}
