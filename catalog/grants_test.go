package catalog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/fhirlake/fhirlake/access"
)

// grantsCatalog returns a catalog with users alice and bob and data stores
// a and b.
func grantsCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	for _, u := range []string{"alice", "bob"} {
		require.NoError(t, c.PutUser(u, "v", false))
	}
	for _, ds := range []string{"a", "b"} {
		_, err := c.CreateDatastore(ds)
		require.NoError(t, err)
	}
	return c
}

func TestGrant(t *testing.T) {
	tests := []struct {
		name                  string
		user, datastore, role string
		wantErr               string
		notFound              bool
	}{
		{name: "analyst on a", user: "alice", datastore: "a", role: access.Analyst},
		{name: "every role", user: "alice", datastore: "b", role: access.DeidAnalyst},
		{name: "admin everywhere", user: "alice", datastore: "*", role: access.Admin},
		{name: "auditor everywhere", user: "bob", datastore: "*", role: access.Auditor},
		{name: "analyst everywhere", user: "bob", datastore: "*", role: access.Analyst, wantErr: "cannot be granted on every data store"},
		{name: "unknown role", user: "alice", datastore: "a", role: "superuser", wantErr: "unknown role"},
		{name: "unknown user", user: "carol", datastore: "a", role: access.Reader, wantErr: "user \"carol\"", notFound: true},
		{name: "unknown data store", user: "alice", datastore: "c", role: access.Reader, wantErr: "data store \"c\"", notFound: true},
		{name: "invalid data store", user: "alice", datastore: "A;", role: access.Reader, wantErr: "invalid data store name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := grantsCatalog(t)
			err := c.Grant(tt.user, tt.datastore, tt.role)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				if tt.notFound {
					require.ErrorIs(t, err, ErrNotFound)
				}
				roles, err := c.RolesOn(tt.user, tt.datastore)
				require.NoError(t, err)
				require.Empty(t, roles)
				return
			}
			require.NoError(t, err)
			require.NoError(t, c.Grant(tt.user, tt.datastore, tt.role), "granting twice changes nothing")
			grants, err := c.Grants(tt.user)
			require.NoError(t, err)
			require.Len(t, grants, 1)
			require.Equal(t, Grant{User: tt.user, Datastore: tt.datastore, Role: tt.role, Granted: grants[0].Granted}, grants[0])
			require.WithinDuration(t, time.Now(), grants[0].Granted, 2*time.Second)
		})
	}
}

func TestRolesOn(t *testing.T) {
	c := grantsCatalog(t)
	for _, g := range []Grant{
		{User: "alice", Datastore: "a", Role: access.Reader},
		{User: "alice", Datastore: "a", Role: access.Analyst},
		{User: "alice", Datastore: "*", Role: access.Admin},
		{User: "bob", Datastore: "b", Role: access.Writer},
		{User: "bob", Datastore: "*", Role: access.Auditor},
	} {
		require.NoError(t, c.Grant(g.User, g.Datastore, g.Role))
	}
	tests := []struct {
		user, datastore string
		want            []string
	}{
		{"alice", "a", []string{access.Admin, access.Reader, access.Analyst}},
		{"alice", "b", []string{access.Admin}},
		{"alice", "later", []string{access.Admin}},
		{"bob", "a", []string{access.Auditor}},
		{"bob", "b", []string{access.Writer, access.Auditor}},
		{"carol", "a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.datastore, func(t *testing.T) {
			got, err := c.RolesOn(tt.user, tt.datastore)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}

	grants, err := c.Grants("alice")
	require.NoError(t, err)
	var got []string
	for _, g := range grants {
		got = append(got, g.Datastore+":"+g.Role)
	}
	require.Equal(t, []string{"*:admin", "a:analyst", "a:reader"}, got, "sorted by data store, then role")
	_, err = c.Grants("carol")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestRevoke(t *testing.T) {
	tests := []struct {
		name                  string
		user, datastore, role string
		wantRoles             []string // alice's roles on a afterwards
		wantErr               bool
	}{
		{name: "granted", user: "alice", datastore: "a", role: access.Analyst, wantRoles: []string{access.Admin}},
		{name: "wildcard", user: "alice", datastore: "*", role: access.Admin, wantRoles: []string{access.Analyst}},
		{name: "wildcard role on one store", user: "alice", datastore: "a", role: access.Admin, wantErr: true},
		{name: "never granted", user: "alice", datastore: "b", role: access.Analyst, wantErr: true},
		{name: "other user", user: "bob", datastore: "a", role: access.Analyst, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := grantsCatalog(t)
			require.NoError(t, c.Grant("alice", "a", access.Analyst))
			require.NoError(t, c.Grant("alice", "*", access.Admin))
			err := c.Revoke(tt.user, tt.datastore, tt.role)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrNotFound)
				tt.wantRoles = []string{access.Admin, access.Analyst}
			} else {
				require.NoError(t, err)
			}
			got, err := c.RolesOn("alice", "a")
			require.NoError(t, err)
			require.Equal(t, tt.wantRoles, got)
		})
	}
}

// TestGrantsDropped checks that dropping a user or a data store drops its
// grants, so that one re-created under the same name starts with none.
func TestGrantsDropped(t *testing.T) {
	c := grantsCatalog(t)
	require.NoError(t, c.Grant("alice", "a", access.Analyst))
	require.NoError(t, c.Grant("alice", "b", access.Reader))
	require.NoError(t, c.Grant("bob", "a", access.Writer))
	require.NoError(t, c.Grant("bob", "*", access.Admin))

	require.NoError(t, c.DeleteDatastore("a"))
	_, err := c.CreateDatastore("a")
	require.NoError(t, err)
	roles, err := c.RolesOn("alice", "a")
	require.NoError(t, err)
	require.Empty(t, roles, "grants on a dropped data store do not come back with its name")
	roles, err = c.RolesOn("bob", "a")
	require.NoError(t, err)
	require.Equal(t, []string{access.Admin}, roles, "a wildcard grant survives a dropped data store")
	roles, err = c.RolesOn("alice", "b")
	require.NoError(t, err)
	require.Equal(t, []string{access.Reader}, roles)

	require.NoError(t, c.DeleteUser("bob"))
	require.NoError(t, c.PutUser("bob", "v", false))
	grants, err := c.Grants("bob")
	require.NoError(t, err)
	require.Empty(t, grants, "grants of a dropped user do not come back with the name")
	grants, err = c.Grants("alice")
	require.NoError(t, err)
	require.Len(t, grants, 1)
}

// TestGrantsMigration checks that users of a catalog written before
// grants existed, when every user could do everything, keep that as admin
// on every data store, and that later opens grant nothing more.
func TestGrantsMigration(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, c.PutUser("alice", "v", false))
	require.NoError(t, c.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketGrants) }))
	require.NoError(t, c.Close())

	c, err = Open(dir)
	require.NoError(t, err)
	roles, err := c.RolesOn("alice", "any")
	require.NoError(t, err)
	require.Equal(t, []string{access.Admin}, roles)
	require.NoError(t, c.Revoke("alice", "*", access.Admin))
	require.NoError(t, c.PutUser("bob", "v", false))
	require.NoError(t, c.Close())

	c, err = Open(dir)
	require.NoError(t, err)
	defer c.Close()
	for _, u := range []string{"alice", "bob"} {
		roles, err := c.RolesOn(u, "any")
		require.NoError(t, err)
		require.Empty(t, roles, u)
	}
}
