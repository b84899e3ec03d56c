package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/deid"
	"github.com/fhirlake/fhirlake/store"
)

// DeidKeyFunc returns the secret key (deid.Options.Key) of data store
// ds's de-identification. The same key must serve the de-identified
// views and exports of a data store, so that their pseudonyms agree.
type DeidKeyFunc func(ds string) ([]byte, error)

// WithDeid returns cat with de-identified views: Refresh and the
// Materialize functions given the result keep, for every view of a data
// store defined by a ViewDefinition, a de-identified twin (a catalog view
// of kind catalog.KindDeid named catalog.DeidName(view)). The twin is the
// same ViewDefinition over the resources after Safe Harbor
// de-identification (package deid, with the key of key(ds)), flattened in
// the same pass over the raw store as its view, so it is exactly as fresh
// as its view. A twin whose view's definition changed is rebuilt; a twin
// whose view is gone is deleted.
//
// The de-identification's reference date (deid.Options.Now, from which
// ages of 90 and over are capped) is the time of each materialization:
// rows written by a later incremental refresh may cap a birth year the
// earlier rows did not, until the next full rebuild.
//
// WithDeid and WithClusterer combine in either order.
func WithDeid(cat Catalog, key DeidKeyFunc) Catalog {
	return deidCatalog{Catalog: cat, key: key}
}

type deidCatalog struct {
	Catalog
	key DeidKeyFunc
}

func (c deidCatalog) unwrap() Catalog { return c.Catalog }

// unwrapper is a Catalog wrapper of this package (WithDeid,
// WithClusterer).
type unwrapper interface{ unwrap() Catalog }

// wrapperOf finds the wrapper of type T in cat's chain of wrappers.
func wrapperOf[T Catalog](cat Catalog) (T, bool) {
	for cat != nil {
		if t, ok := cat.(T); ok {
			return t, true
		}
		u, ok := cat.(unwrapper)
		if !ok {
			break
		}
		cat = u.unwrap()
	}
	var zero T
	return zero, false
}

// deidentifierOf returns the Deidentifier of data store ds's twins, or nil
// when cat has no WithDeid.
func deidentifierOf(cat Catalog, ds string) (*deid.Deidentifier, error) {
	dc, ok := wrapperOf[deidCatalog](cat)
	if !ok {
		return nil, nil
	}
	key, err := dc.key(ds)
	if err != nil {
		return nil, fmt.Errorf("ingest: de-identification key of %s: %w", ds, err)
	}
	d, err := deid.New(deid.Options{Key: key, Now: time.Now().UTC()})
	if err != nil {
		return nil, fmt.Errorf("ingest: de-identification of %s: %w", ds, err)
	}
	return d, nil
}

// syncDeidTwins makes the catalog's twins match the views of ds when cat
// has WithDeid: it registers, without files, the twin of a view that has
// none or whose twin's definition differs (the rebuild that follows
// fills it), and deletes twins whose view is gone. Without WithDeid it
// does nothing.
func syncDeidTwins(cat Catalog, ds string) error {
	if _, ok := wrapperOf[deidCatalog](cat); !ok {
		return nil
	}
	cvs, err := cat.Views(ds)
	if err != nil {
		return err
	}
	twins := map[string]catalog.View{}
	for _, cv := range cvs {
		if cv.Kind == catalog.KindDeid {
			twins[cv.Name] = cv
		}
	}
	for _, cv := range cvs {
		if cv.Kind != "" {
			continue
		}
		name := catalog.DeidName(cv.Name)
		t, ok := twins[name]
		delete(twins, name)
		if ok && t.Resource == cv.Resource && bytes.Equal(t.Definition, cv.Definition) {
			continue
		}
		twin := catalog.View{Name: name, Resource: cv.Resource, Definition: cv.Definition, Kind: catalog.KindDeid,
			Layout: catalog.CurrentLayout, Updated: time.Now().UTC()}
		if err := cat.PutView(ds, twin); err != nil {
			return fmt.Errorf("ingest: register the de-identified view of %s.%s: %w", ds, cv.Name, err)
		}
	}
	for name := range twins {
		if err := cat.DeleteView(ds, name); err != nil {
			return fmt.Errorf("ingest: delete the de-identified view %s.%s: %w", ds, name, err)
		}
	}
	return nil
}

// pseudoID returns the key column value of resource typ/id in a twin's
// files: the pseudonymous id de-identification gives the resource, so
// that the files hold no original id and a deletes file can name the
// rows of a changed resource.
func pseudoID(ctx context.Context, d *deid.Deidentifier, typ, id string) (string, error) {
	in, err := json.Marshal(struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}{typ, id})
	if err != nil {
		return "", err
	}
	out, err := d.Resource(ctx, in)
	if err != nil {
		return "", err
	}
	var r struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.ID == "" {
		return "", fmt.Errorf("ingest: no pseudonymous id for %s/%s", typ, id)
	}
	return r.ID, nil
}

// pseudoIDs maps ids of type typ with pseudoID.
func pseudoIDs(ctx context.Context, d *deid.Deidentifier, typ string, ids []string) ([]string, error) {
	out := make([]string, len(ids))
	for i, id := range ids {
		p, err := pseudoID(ctx, d, typ, id)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// twinDeidentifier returns the Deidentifier the twins among jobs need:
// nil when there are none, an error when there are but cat has no
// WithDeid (a twin is never rebuilt from identified resources).
func twinDeidentifier(cat Catalog, ds string, jobs []*viewJob) (*deid.Deidentifier, error) {
	for _, j := range jobs {
		if !j.deid {
			continue
		}
		d, err := deidentifierOf(cat, ds)
		if err == nil && d == nil {
			err = fmt.Errorf("ingest: de-identified view %s.%s needs a de-identification key (WithDeid)", ds, j.cv.Name)
		}
		return d, err
	}
	return nil, nil
}

// deidentified is one resource as the twins flatten it.
type deidentified struct {
	done bool
	body []byte
	id   string // the key column value, see pseudoID
	err  error
}

// deidentify de-identifies r for the twin parts of w.
func (w *worker) deidentify(ctx context.Context, r store.Resource) deidentified {
	out := deidentified{done: true}
	if w.deid == nil {
		out.err = fmt.Errorf("ingest: no de-identification for a de-identified view")
		return out
	}
	if out.body, out.err = w.deid.Resource(ctx, r.Body); out.err != nil {
		return out
	}
	if id, ok := leadingID(out.body, r.Type); ok {
		out.id = id
	} else {
		out.id, out.err = pseudoID(ctx, w.deid, r.Type, r.ID)
	}
	return out
}

// leadingID returns the id of a de-identified resource of type typ whose
// JSON starts with its resourceType and id (as the stored, normalized
// bodies do and de-identification keeps), without parsing it: the same
// value pseudoID computes, at no cost. ok is false for any other shape.
func leadingID(body []byte, typ string) (string, bool) {
	prefix := `{"resourceType":"` + typ + `","id":"`
	if !bytes.HasPrefix(body, []byte(prefix)) {
		return "", false
	}
	rest := body[len(prefix):]
	end := bytes.IndexByte(rest, '"')
	if end <= 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		return "", false
	}
	return string(rest[:end]), true
}
