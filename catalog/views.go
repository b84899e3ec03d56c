package catalog

import (
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// PutView registers or replaces a view of a data store. The files of the
// previous version that v no longer names are not deleted: in the same
// transaction they are recorded as garbage of the data store, to be
// removed by Sweep once no reader (such as a running server's SQL engine)
// can still open them. A crash therefore leaves at worst files that the
// next Sweep removes.
func (c *Catalog) PutView(ds string, v View) error {
	if !validViewName(v) {
		return fmt.Errorf("catalog: invalid view name %q", v.Name)
	}
	err := c.db.Update(func(tx *bolt.Tx) error {
		views, err := c.viewsBucket(tx, ds)
		if err != nil {
			return err
		}
		var old View
		if prev := views.Get([]byte(v.Name)); prev != nil {
			if err := json.Unmarshal(prev, &old); err != nil {
				return err
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := views.Put([]byte(v.Name), b); err != nil {
			return err
		}
		return c.discard(tx, ds, old.Files, v.Files)
	})
	if err != nil {
		return fmt.Errorf("catalog: put view %s.%s: %w", ds, v.Name, err)
	}
	return nil
}

// validViewName reports whether v's name suits its kind: a de-identified
// twin is named DeidName of a valid name, any other view a valid name.
func validViewName(v View) bool {
	if v.Kind == KindDeid {
		_, ok := DeidOf(v.Name)
		return ok
	}
	return ValidName(v.Name)
}

// DeleteView removes a view from a data store, or returns an error
// wrapping ErrNotFound. Its files become garbage, removed by Sweep. The
// view's de-identified twin (KindDeid), if any, goes with it in the same
// transaction, so SQL never sees a twin without its view.
func (c *Catalog) DeleteView(ds, name string) error {
	err := c.db.Update(func(tx *bolt.Tx) error {
		views, err := c.viewsBucket(tx, ds)
		if err != nil {
			return err
		}
		if views.Get([]byte(name)) == nil {
			return fmt.Errorf("view %q: %w", name, ErrNotFound)
		}
		names := []string{name}
		if views.Get([]byte(DeidName(name))) != nil {
			names = append(names, DeidName(name))
		}
		for _, n := range names {
			var old View
			if err := json.Unmarshal(views.Get([]byte(n)), &old); err != nil {
				return err
			}
			if err := views.Delete([]byte(n)); err != nil {
				return err
			}
			if err := c.discard(tx, ds, old.Files, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("catalog: delete view %s.%s: %w", ds, name, err)
	}
	return nil
}

// View returns one view of a data store, or an error wrapping ErrNotFound
// when the data store or the view does not exist.
func (c *Catalog) View(ds, name string) (View, error) {
	var v View
	err := c.db.View(func(tx *bolt.Tx) error {
		views, err := c.viewsBucket(tx, ds)
		if err != nil {
			return err
		}
		b := views.Get([]byte(name))
		if b == nil {
			return fmt.Errorf("view %q: %w", name, ErrNotFound)
		}
		return json.Unmarshal(b, &v)
	})
	if err != nil {
		return View{}, fmt.Errorf("catalog: %s: %w", ds, err)
	}
	return v, nil
}

// Views lists the views of a data store, sorted by name.
func (c *Catalog) Views(ds string) ([]View, error) {
	var out []View
	err := c.db.View(func(tx *bolt.Tx) error {
		views, err := c.viewsBucket(tx, ds)
		if err != nil {
			return err
		}
		return views.ForEach(func(k, val []byte) error {
			var v View
			if err := json.Unmarshal(val, &v); err != nil {
				return fmt.Errorf("catalog: view %s.%s: %w", ds, k, err)
			}
			out = append(out, v)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

func (c *Catalog) viewsBucket(tx *bolt.Tx, ds string) (*bolt.Bucket, error) {
	b := tx.Bucket(bucketStores).Bucket([]byte(ds))
	if b == nil {
		return nil, fmt.Errorf("catalog: data store %q: %w", ds, ErrNotFound)
	}
	return b.Bucket([]byte("views")), nil
}
