package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

func TestQueryTemplate(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	s, err := env.e.Open(ctx, "demo", "alice")
	require.NoError(t, err)
	defer s.Close()
	sess := s.(*session)
	const tmpl = "SELECT id FROM patient WHERE visits > $1 ORDER BY id"
	for _, tc := range []struct {
		sql  string
		want [][]any
	}{
		{"SELECT id FROM patient WHERE visits > 1 ORDER BY id", [][]any{{"p1"}, {"p3"}}},
		{"SELECT id FROM patient WHERE visits > 2 ORDER BY id", [][]any{{"p1"}}},
	} {
		r, err := sess.QueryTemplate(ctx, tmpl, tc.sql)
		require.NoError(t, err)
		var got [][]any
		for r.Next() {
			got = append(got, append([]any(nil), r.Values()...))
		}
		require.NoError(t, r.Err())
		require.NoError(t, r.Close())
		require.Equal(t, tc.want, got, tc.sql)
	}
	_, cached := sess.e.templates.get(tmpl)
	require.True(t, cached, "a checked query template is remembered")

	// A template that may not run is not cached and still fails, with the
	// error of the full check.
	_, err = sess.QueryTemplate(ctx, "SELECT * FROM read_csv($1)", "SELECT * FROM read_csv('/etc/passwd')")
	require.Equal(t, sqlstate.InsufficientPrivilege, sqlstate.Code(err), "%v", err)
	_, cached = sess.e.templates.get("SELECT * FROM read_csv($1)")
	require.False(t, cached)
	// One that the Postgres rewrite changes takes the full path every time.
	r, err := sess.QueryTemplate(ctx, "SELECT relname FROM pg_class WHERE relname = $1", "SELECT relname FROM pg_class WHERE relname = 'patient'")
	require.NoError(t, err)
	require.True(t, r.Next())
	require.Equal(t, "patient", r.Values()[0])
	require.NoError(t, r.Close())
	_, cached = sess.e.templates.get("SELECT relname FROM pg_class WHERE relname = $1")
	require.False(t, cached)
}
