package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketUsers maps a user name to its User record (JSON).
var bucketUsers = []byte("users")

// User is an account that may connect to fhirlake. The same users serve
// every protocol.
type User struct {
	Name string `json:"name"`
	// Verifier is the SCRAM-SHA-256 password verifier in PostgreSQL's
	// form (see package auth); the password itself is never stored.
	Verifier string    `json:"verifier"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

var userNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.@-]{0,62}$`)

// ValidUserName reports whether name can name a user: a letter, then
// letters, digits and _ . @ -, at most 63 in all (PostgreSQL's NAMEDATALEN).
func ValidUserName(name string) bool { return userNameRE.MatchString(name) }

// PutUser creates a user, or replaces its verifier when replace is set.
// Creating an existing user fails with ErrExists, replacing a missing one
// with ErrNotFound.
func (c *Catalog) PutUser(name, verifier string, replace bool) error {
	if !ValidUserName(name) {
		return fmt.Errorf("catalog: invalid user name %q: a letter, then letters, digits and _ . @ - (at most 63)", name)
	}
	err := c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		now := time.Now().UTC().Truncate(time.Second)
		u := User{Name: name, Verifier: verifier, Created: now, Updated: now}
		prev := b.Get([]byte(name))
		switch {
		case prev != nil && !replace:
			return fmt.Errorf("user %q: %w", name, ErrExists)
		case prev == nil && replace:
			return fmt.Errorf("user %q: %w", name, ErrNotFound)
		case prev != nil:
			var old User
			if err := json.Unmarshal(prev, &old); err != nil {
				return err
			}
			u.Created = old.Created
		}
		data, err := json.Marshal(u)
		if err != nil {
			return err
		}
		return b.Put([]byte(name), data)
	})
	if err != nil {
		return fmt.Errorf("catalog: put user: %w", err)
	}
	return nil
}

// User returns one user, or an error wrapping ErrNotFound.
func (c *Catalog) User(name string) (User, error) {
	var u User
	err := c.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketUsers).Get([]byte(name))
		if data == nil {
			return fmt.Errorf("user %q: %w", name, ErrNotFound)
		}
		return json.Unmarshal(data, &u)
	})
	if err != nil {
		return User{}, fmt.Errorf("catalog: %w", err)
	}
	return u, nil
}

// Users lists the users sorted by name.
func (c *Catalog) Users() ([]User, error) {
	var out []User
	err := c.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(_, v []byte) error {
			var u User
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: users: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DeleteUser removes a user, its grants and its API tokens, or returns an
// error wrapping ErrNotFound.
func (c *Catalog) DeleteUser(name string) error {
	err := c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b.Get([]byte(name)) == nil {
			return fmt.Errorf("user %q: %w", name, ErrNotFound)
		}
		if err := deleteGrants(tx, func(user, _ string) bool { return user == name }); err != nil {
			return err
		}
		if err := deleteTokens(tx, name); err != nil {
			return err
		}
		return b.Delete([]byte(name))
	})
	if err != nil {
		return fmt.Errorf("catalog: delete user: %w", err)
	}
	return nil
}
