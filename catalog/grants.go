package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fhirlake/fhirlake/access"
)

// bucketGrants holds one key per grant, user NUL data store NUL role,
// whose value is the Grant (JSON). Neither user nor data store names can
// hold a NUL, so a prefix scan finds a user's grants.
var bucketGrants = []byte("grants")

// Grant is a role granted to a user on a data store, or on every data
// store (Datastore access.AllDatastores) for the roles where
// access.Wildcard allows it.
type Grant struct {
	User      string    `json:"user"`
	Datastore string    `json:"datastore"`
	Role      string    `json:"role"`
	Granted   time.Time `json:"granted"`
}

func grantKey(user, datastore, role string) []byte {
	return []byte(user + "\x00" + datastore + "\x00" + role)
}

// Grant gives user the role on datastore (access.AllDatastores for every
// data store, admin and auditor only). The user and the data store must
// exist (errors wrap ErrNotFound). Granting a role the user already holds
// there changes nothing.
func (c *Catalog) Grant(user, datastore, role string) error {
	if err := checkGrant(datastore, role); err != nil {
		return err
	}
	g := Grant{User: user, Datastore: datastore, Role: role, Granted: time.Now().UTC().Truncate(time.Second)}
	err := c.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(user)) == nil {
			return fmt.Errorf("user %q: %w", user, ErrNotFound)
		}
		if datastore != access.AllDatastores && tx.Bucket(bucketStores).Bucket([]byte(datastore)) == nil {
			return fmt.Errorf("data store %q: %w", datastore, ErrNotFound)
		}
		b := tx.Bucket(bucketGrants)
		if b.Get(grantKey(user, datastore, role)) != nil {
			return nil
		}
		data, err := json.Marshal(g)
		if err != nil {
			return err
		}
		return b.Put(grantKey(user, datastore, role), data)
	})
	if err != nil {
		return fmt.Errorf("catalog: grant %s on %s to %s: %w", role, datastore, user, err)
	}
	return nil
}

// checkGrant validates the role and data store of a grant.
func checkGrant(datastore, role string) error {
	if !access.ValidRole(role) {
		return fmt.Errorf("catalog: unknown role %q (roles: %s)", role, strings.Join(access.Roles(), ", "))
	}
	if datastore == access.AllDatastores {
		if !access.Wildcard(role) {
			return fmt.Errorf("catalog: role %s cannot be granted on every data store (%s); grant it on each data store", role, access.AllDatastores)
		}
		return nil
	}
	if !ValidName(datastore) {
		return fmt.Errorf("catalog: invalid data store name %q", datastore)
	}
	return nil
}

// Revoke takes the role on datastore away from user. Revoking a grant
// that does not exist fails with an error wrapping ErrNotFound; a role
// granted on access.AllDatastores is revoked only there.
func (c *Catalog) Revoke(user, datastore, role string) error {
	err := c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketGrants)
		if b.Get(grantKey(user, datastore, role)) == nil {
			return fmt.Errorf("user %q has no role %q on %q: %w", user, role, datastore, ErrNotFound)
		}
		return b.Delete(grantKey(user, datastore, role))
	})
	if err != nil {
		return fmt.Errorf("catalog: revoke: %w", err)
	}
	return nil
}

// Grants lists the grants of user, sorted by data store ("*" first) and
// role. An unknown user is an error wrapping ErrNotFound.
func (c *Catalog) Grants(user string) ([]Grant, error) {
	var out []Grant
	err := c.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(user)) == nil {
			return fmt.Errorf("user %q: %w", user, ErrNotFound)
		}
		return scanGrants(tx, user+"\x00", func(g Grant) { out = append(out, g) })
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: grants: %w", err)
	}
	return out, nil
}

// RolesOn returns the roles user holds on datastore: those granted on it
// and on access.AllDatastores, once each, in the order of access.Roles.
// A user without grants, or unknown, holds none (no error).
func (c *Catalog) RolesOn(user, datastore string) ([]string, error) {
	held := map[string]bool{}
	err := c.db.View(func(tx *bolt.Tx) error {
		for _, ds := range []string{datastore, access.AllDatastores} {
			if err := scanGrants(tx, user+"\x00"+ds+"\x00", func(g Grant) { held[g.Role] = true }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: roles of %s on %s: %w", user, datastore, err)
	}
	var out []string
	for _, r := range access.Roles() {
		if held[r] {
			out = append(out, r)
		}
	}
	return out, nil
}

// scanGrants calls fn for each grant whose key starts with prefix.
func scanGrants(tx *bolt.Tx, prefix string, fn func(Grant)) error {
	cur := tx.Bucket(bucketGrants).Cursor()
	p := []byte(prefix)
	for k, v := cur.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = cur.Next() {
		var g Grant
		if err := json.Unmarshal(v, &g); err != nil {
			return fmt.Errorf("grant %q: %w", k, err)
		}
		fn(g)
	}
	return nil
}

// deleteGrants removes, in tx, the grants for which drop is true: those
// of a dropped user or on a dropped data store, so that a user or data
// store created later under the same name starts without them.
func deleteGrants(tx *bolt.Tx, drop func(user, datastore string) bool) error {
	b := tx.Bucket(bucketGrants)
	var keys [][]byte
	err := b.ForEach(func(k, _ []byte) error {
		parts := strings.SplitN(string(k), "\x00", 3)
		if len(parts) == 3 && drop(parts[0], parts[1]) {
			keys = append(keys, slices.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// initGrants creates the grants bucket. A catalog written before grants
// existed let every user do everything; its users keep that, as admin on
// every data store, so that upgrading locks no one out.
func initGrants(tx *bolt.Tx) error {
	if tx.Bucket(bucketGrants) != nil {
		return nil
	}
	b, err := tx.CreateBucket(bucketGrants)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	return tx.Bucket(bucketUsers).ForEach(func(name, _ []byte) error {
		g := Grant{User: string(name), Datastore: access.AllDatastores, Role: access.Admin, Granted: now}
		data, err := json.Marshal(g)
		if err != nil {
			return err
		}
		return b.Put(grantKey(g.User, g.Datastore, g.Role), data)
	})
}
