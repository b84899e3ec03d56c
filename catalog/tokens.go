package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketTokens maps a token id to its Token record (JSON).
var bucketTokens = []byte("tokens")

// Token is an API token of a user (see package auth/apitoken): the
// client presents its secret, of which the catalog keeps only the hash.
// A token acts with its user's roles.
type Token struct {
	ID      string    `json:"id"`
	User    string    `json:"user"`
	Hash    string    `json:"hash"` // apitoken.Hash of the secret, never the secret
	Note    string    `json:"note,omitempty"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"` // zero: never
	// Scope is the space-separated SMART scopes of an access token issued
	// to a client (SMART Backend Services), which narrow its grants; empty
	// for the tokens of fhirlake token create.
	Scope string `json:"scope,omitempty"`
}

// Expired reports whether t has expired at now: it has an expiry time
// and now is not before it.
func (t Token) Expired(now time.Time) bool {
	return !t.Expires.IsZero() && !now.Before(t.Expires)
}

// tokenIDRE is what PutToken accepts as an id: apitoken's ids, and any
// other short lowercase alphanumeric id.
var tokenIDRE = regexp.MustCompile(`^[0-9a-z]{1,64}$`)

// PutToken stores a new token. An id already taken fails with an error
// wrapping ErrExists, an unknown t.User with one wrapping ErrNotFound.
// A zero t.Created is set to now. Times are stored in UTC, Created to
// the millisecond.
func (c *Catalog) PutToken(t Token) error {
	if !tokenIDRE.MatchString(t.ID) {
		return fmt.Errorf("catalog: put token: invalid id %q", t.ID)
	}
	if t.Hash == "" {
		return fmt.Errorf("catalog: put token %s: no hash", t.ID)
	}
	if t.Created.IsZero() {
		t.Created = time.Now()
	}
	t.Created = t.Created.UTC().Truncate(time.Millisecond)
	if !t.Expires.IsZero() {
		t.Expires = t.Expires.UTC()
	}
	err := c.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(t.User)) == nil {
			return fmt.Errorf("user %q: %w", t.User, ErrNotFound)
		}
		b := tx.Bucket(bucketTokens)
		if b.Get([]byte(t.ID)) != nil {
			return fmt.Errorf("token %s: %w", t.ID, ErrExists)
		}
		data, err := json.Marshal(t)
		if err != nil {
			return err
		}
		return b.Put([]byte(t.ID), data)
	})
	if err != nil {
		return fmt.Errorf("catalog: put token: %w", err)
	}
	return nil
}

// Token returns the token of an id, or an error wrapping ErrNotFound.
// An expired token is returned too: the caller checks Expired.
func (c *Catalog) Token(id string) (Token, error) {
	var t Token
	err := c.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketTokens).Get([]byte(id))
		if data == nil {
			return fmt.Errorf("token %q: %w", id, ErrNotFound)
		}
		return json.Unmarshal(data, &t)
	})
	if err != nil {
		return Token{}, fmt.Errorf("catalog: %w", err)
	}
	return t, nil
}

// Tokens lists the tokens of user, or of every user for "", sorted by
// user, then creation time, then id. Expired tokens are listed until
// revoked. An unknown user is an error wrapping ErrNotFound.
func (c *Catalog) Tokens(user string) ([]Token, error) {
	var out []Token
	err := c.db.View(func(tx *bolt.Tx) error {
		if user != "" && tx.Bucket(bucketUsers).Get([]byte(user)) == nil {
			return fmt.Errorf("user %q: %w", user, ErrNotFound)
		}
		return tx.Bucket(bucketTokens).ForEach(func(k, v []byte) error {
			var t Token
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("token %q: %w", k, err)
			}
			if user == "" || t.User == user {
				out = append(out, t)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: tokens: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.User != b.User:
			return a.User < b.User
		case !a.Created.Equal(b.Created):
			return a.Created.Before(b.Created)
		}
		return a.ID < b.ID
	})
	return out, nil
}

// DeleteToken revokes a token, or returns an error wrapping ErrNotFound.
func (c *Catalog) DeleteToken(id string) error {
	err := c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b.Get([]byte(id)) == nil {
			return fmt.Errorf("token %q: %w", id, ErrNotFound)
		}
		return b.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("catalog: delete token: %w", err)
	}
	return nil
}

// deleteTokens removes, in tx, the tokens of user, so that a user created
// later under the same name does not inherit them.
func deleteTokens(tx *bolt.Tx, user string) error {
	b := tx.Bucket(bucketTokens)
	var ids [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var t Token
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("token %q: %w", k, err)
		}
		if t.User == user {
			ids = append(ids, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := b.Delete(id); err != nil {
			return err
		}
	}
	return nil
}
