package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fhirlake/fhirlake/auth/smart"
	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// guardedStore is a data store as a SMART caller sees it: every resource
// it reads is checked against the caller's scopes for its type, its
// patient compartment and its scope filters, and one outside them is
// answered as if it did not exist. That covers, by construction, reads,
// vreads, histories, search result entries, _include and _revinclude
// entries and $everything. Writes check the new content and the version
// they replace.
type guardedStore struct {
	inner Reader
	c     Caller
}

// guarded wraps rd for the request's caller when it holds SMART scopes.
func guarded(ctx context.Context, rd Reader) Reader {
	c, ok := callerOf(ctx)
	if !ok || c.SMART == nil {
		return rd
	}
	return &guardedStore{inner: rd, c: c}
}

// visible reports whether the caller may read body, a resource of typ.
func (g *guardedStore) visible(typ string, body []byte) (bool, error) {
	return allowedBody(g.c.decide(smart.Read, typ), typ, body)
}

// allowedBody applies a decision to one resource's content.
func allowedBody(d smart.Decision, typ string, body []byte) (bool, error) {
	if !d.Allowed {
		return false, nil
	}
	if d.Patient != "" {
		in, err := search.InCompartmentOf(body, "Patient", d.Patient)
		if err != nil || !in {
			return false, err
		}
	}
	if len(d.Filters) == 0 {
		return true, nil
	}
	v, err := search.Extract(body)
	if v.ResourceType == "" {
		return false, err
	}
	for _, f := range d.Filters {
		if matchesFilter(&v, f) {
			return true, nil
		}
	}
	return false, nil
}

// matchesFilter reports whether a resource's token values satisfy every
// constraint of a scope filter (code=sys|c, category=c …).
func matchesFilter(v *search.Values, f smart.Filter) bool {
	for _, c := range f {
		ok := false
		for _, t := range v.Tokens {
			if t.Param != c.Param {
				continue
			}
			for _, want := range c.Values {
				sys, code, hasSys := strings.Cut(want, "|")
				if !hasSys {
					code, sys = want, ""
				}
				if t.Code == code && (!hasSys || t.System == sys) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// hidden is the error of a resource the caller may not see: not found.
func hidden(typ, id string) error {
	return fmt.Errorf("%s/%s: %w", typ, id, store.ErrNotFound)
}

func (g *guardedStore) Read(ctx context.Context, typ, id string) (store.Resource, error) {
	res, err := g.inner.Read(ctx, typ, id)
	switch {
	case errors.Is(err, store.ErrDeleted):
		// A tombstone has no content to check: only an unrestricted
		// reader of the type learns that it existed.
		if d := g.c.decide(smart.Read, typ); !d.Allowed || d.Patient != "" || len(d.Filters) > 0 {
			return store.Resource{}, hidden(typ, id)
		}
		return res, err
	case err != nil:
		return res, err
	}
	ok, err := g.visible(typ, res.Body)
	if err != nil {
		return store.Resource{}, err
	}
	if !ok {
		return store.Resource{}, hidden(typ, id)
	}
	return res, nil
}

// Types passes through the data store's list of types.
func (g *guardedStore) Types(ctx context.Context) ([]string, error) {
	if tl, ok := g.inner.(TypeLister); ok {
		return tl.Types(ctx)
	}
	return nil, errors.New("api: the data store does not list its types")
}

// store returns the inner Store, or an error for a read-only data store.
func (g *guardedStore) store() (Store, error) {
	st, ok := g.inner.(Store)
	if !ok {
		return nil, errors.New("api: the data store is read-only")
	}
	return st, nil
}

func (g *guardedStore) VRead(ctx context.Context, typ, id string, version int64) (store.Resource, error) {
	st, err := g.store()
	if err != nil {
		return store.Resource{}, err
	}
	res, err := st.VRead(ctx, typ, id, version)
	if err != nil || res.Deleted {
		if d := g.c.decide(smart.VRead, typ); !d.Allowed || d.Patient != "" || len(d.Filters) > 0 {
			return store.Resource{}, hidden(typ, id)
		}
		return res, err
	}
	ok, err := allowedBody(g.c.decide(smart.VRead, typ), typ, res.Body)
	if err != nil {
		return store.Resource{}, err
	}
	if !ok {
		return store.Resource{}, hidden(typ, id)
	}
	return res, nil
}

// History keeps the versions the caller may see; a resource none of whose
// versions it may see is not found.
func (g *guardedStore) History(ctx context.Context, typ, id string) ([]store.Resource, error) {
	st, err := g.store()
	if err != nil {
		return nil, err
	}
	all, err := st.History(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	d := g.c.decide(smart.History, typ)
	var out []store.Resource
	for _, v := range all {
		if v.Deleted {
			if d.Allowed && d.Patient == "" && len(d.Filters) == 0 {
				out = append(out, v)
			}
			continue
		}
		ok, err := allowedBody(d, typ, v.Body)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, hidden(typ, id)
	}
	return out, nil
}

// HistoryPage serves type and system history, which authorize lets a SMART
// caller reach only with an unrestricted scope on the type; entries are
// still checked one by one.
func (g *guardedStore) HistoryPage(ctx context.Context, q store.HistoryQuery) (store.HistoryPage, error) {
	st, err := g.store()
	if err != nil {
		return store.HistoryPage{}, err
	}
	pg, err := st.HistoryPage(ctx, q)
	if err != nil {
		return pg, err
	}
	kept := pg.Versions[:0]
	for _, v := range pg.Versions {
		d := g.c.decide(smart.History, v.Type)
		ok := d.Allowed && d.Patient == "" && len(d.Filters) == 0
		if ok {
			kept = append(kept, v)
		}
	}
	pg.Versions = kept
	return pg, nil
}

// Apply checks each write against the caller's scopes: the interaction
// (create, update or delete, from whether the resource exists), the new
// content and the content it replaces, both within the patient
// compartment and filters of a restricted scope.
func (g *guardedStore) Apply(ctx context.Context, ops []store.Op) ([]store.Result, error) {
	st, err := g.store()
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		cur, err := st.Read(ctx, op.Type, op.ID)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrDeleted) {
			return nil, err
		}
		in := smart.Create
		switch {
		case op.Delete:
			in = smart.Delete
		case exists:
			in = smart.Update
		}
		d := g.c.decide(in, op.Type)
		if !d.Allowed {
			return nil, fmt.Errorf("%w: %s", errForbidden, d.Reason)
		}
		if exists {
			ok, err := allowedBody(d, op.Type, cur.Body)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%w: %s/%s is outside the token's patient compartment or scope filters", errForbidden, op.Type, op.ID)
			}
		}
		if !op.Delete {
			ok, err := allowedBody(d, op.Type, op.Body)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%w: the new %s/%s would be outside the token's patient compartment or scope filters", errForbidden, op.Type, op.ID)
			}
		}
	}
	return st.Apply(ctx, ops)
}

// FindByIdentifier keeps the matches the caller may read, so that a
// conditional interaction cannot reveal a resource outside its scopes.
func (g *guardedStore) FindByIdentifier(ctx context.Context, typ string, q store.IdentifierQuery) ([]string, error) {
	st, err := g.store()
	if err != nil {
		return nil, err
	}
	ids, err := st.FindByIdentifier(ctx, typ, q)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ids, func(id string) bool {
		_, err := g.Read(ctx, typ, id)
		return err != nil
	}), nil
}

var _ Store = (*guardedStore)(nil)
