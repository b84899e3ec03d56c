package catalog

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUsers(t *testing.T) {
	c, err := Open(t.TempDir())
	require.NoError(t, err)
	defer c.Close()
	users, err := c.Users()
	require.NoError(t, err)
	require.Empty(t, users)

	require.NoError(t, c.PutUser("alice", "v1", false))
	require.True(t, errors.Is(c.PutUser("alice", "v2", false), ErrExists))
	require.True(t, errors.Is(c.PutUser("bob", "v2", true), ErrNotFound))
	require.NoError(t, c.PutUser("bob@example.org", "vb", false))
	first, err := c.User("alice")
	require.NoError(t, err)
	require.NoError(t, c.PutUser("alice", "v3", true))
	u, err := c.User("alice")
	require.NoError(t, err)
	require.Equal(t, "v3", u.Verifier)
	require.Equal(t, first.Created, u.Created, "a new password keeps the creation time")

	users, err = c.Users()
	require.NoError(t, err)
	require.Len(t, users, 2)
	require.Equal(t, "alice", users[0].Name)

	require.NoError(t, c.DeleteUser("alice"))
	require.True(t, errors.Is(c.DeleteUser("alice"), ErrNotFound))
	_, err = c.User("alice")
	require.True(t, errors.Is(err, ErrNotFound))

	for _, bad := range []string{"", "1abc", "a b", "x;drop", string(make([]byte, 64))} {
		require.Error(t, c.PutUser(bad, "v", false), bad)
	}
}
