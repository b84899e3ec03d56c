package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fhirlake/fhirlake/auth/backend"
)

// bucketUsers maps a user name to its User record (JSON).
var bucketUsers = []byte("users")

// User is an account that may connect to fhirlake. The same users serve
// every protocol. A registered client (SMART Backend Services, see package
// auth/backend) is a User too, of Kind KindClient: it shares the users'
// name space and grants, but authenticates with a signed assertion from
// one of the public keys of JWKS instead of a password.
type User struct {
	Name string `json:"name"`
	// Kind is KindUser ("" in records written before clients existed) or
	// KindClient.
	Kind string `json:"kind,omitempty"`
	// Verifier is the SCRAM-SHA-256 password verifier in PostgreSQL's
	// form (see package auth); the password itself is never stored. It is
	// empty for a client, which therefore never logs in with a password.
	Verifier string `json:"verifier"`
	// JWKS is a client's JSON Web Key Set: public keys only.
	JWKS json.RawMessage `json:"jwks,omitempty"`
	// Scopes are the space-separated SMART system scopes a client may be
	// granted (the most its access tokens carry).
	Scopes  string    `json:"scopes,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// The kinds of User.
const (
	KindUser   = "user"
	KindClient = "client"
)

// IsClient reports whether u is a registered client rather than a user.
func (u User) IsClient() bool { return u.Kind == KindClient }

var userNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.@-]{0,62}$`)

// ValidUserName reports whether name can name a user: a letter, then
// letters, digits and _ . @ -, at most 63 in all (PostgreSQL's NAMEDATALEN).
func ValidUserName(name string) bool { return userNameRE.MatchString(name) }

// PutUser creates a user, or replaces its verifier when replace is set.
// Creating an existing user or client fails with ErrExists, replacing a
// missing one with ErrNotFound; a client cannot be given a password.
func (c *Catalog) PutUser(name, verifier string, replace bool) error {
	if !ValidUserName(name) {
		return fmt.Errorf("catalog: invalid user name %q: a letter, then letters, digits and _ . @ - (at most 63)", name)
	}
	if err := c.putPrincipal(User{Name: name, Verifier: verifier}, replace); err != nil {
		return fmt.Errorf("catalog: put user: %w", err)
	}
	return nil
}

// PutClient registers a client (SMART Backend Services) with its JSON Web
// Key Set of public signature keys and the system scopes it may be
// granted, or replaces both when replace is set (key rotation). The key
// set and scopes are validated as auth/backend does (a private key is
// refused). A name taken by a user or client fails with ErrExists,
// replacing a missing client with ErrNotFound, and replacing a user is
// refused: a user cannot become a client, nor a client a user.
func (c *Catalog) PutClient(name string, jwks []byte, scopes string, replace bool) error {
	if !ValidUserName(name) {
		return fmt.Errorf("catalog: invalid client name %q: a letter, then letters, digits and _ . @ - (at most 63)", name)
	}
	if _, err := backend.ParseKeySet(jwks); err != nil {
		return fmt.Errorf("catalog: client %q: %w", name, err)
	}
	allowed, err := backend.ParseSystemScopes(scopes)
	if err != nil {
		return fmt.Errorf("catalog: client %q: %w", name, err)
	}
	canon := make([]string, len(allowed))
	for i, s := range allowed {
		canon[i] = s.String()
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, jwks); err != nil {
		return fmt.Errorf("catalog: client %q: %w", name, err)
	}
	u := User{Name: name, Kind: KindClient, JWKS: compact.Bytes(), Scopes: strings.Join(canon, " ")}
	if err := c.putPrincipal(u, replace); err != nil {
		return fmt.Errorf("catalog: put client: %w", err)
	}
	return nil
}

// putPrincipal stores u, created now, or replacing the record of the same
// name and kind (keeping its creation time) when replace is set.
func (c *Catalog) putPrincipal(u User, replace bool) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		now := time.Now().UTC().Truncate(time.Second)
		u.Created, u.Updated = now, now
		prev := b.Get([]byte(u.Name))
		switch {
		case prev != nil && !replace:
			return fmt.Errorf("user %q: %w", u.Name, ErrExists)
		case prev == nil && replace:
			return fmt.Errorf("user %q: %w", u.Name, ErrNotFound)
		case prev != nil:
			var old User
			if err := json.Unmarshal(prev, &old); err != nil {
				return err
			}
			if old.IsClient() != u.IsClient() {
				return fmt.Errorf("%q is a %s, not a %s", u.Name, old.kind(), u.kind())
			}
			u.Created = old.Created
		}
		data, err := json.Marshal(u)
		if err != nil {
			return err
		}
		return b.Put([]byte(u.Name), data)
	})
}

// kind names u's kind for messages.
func (u User) kind() string {
	if u.IsClient() {
		return KindClient
	}
	return KindUser
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
