package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTablesRead: a query's rows report the tables and views it read, for
// its audit record, without its own WITH names.
func TestTablesRead(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	s, err := env.e.Open(ctx, "demo", "alice")
	require.NoError(t, err)
	defer s.Close()
	for _, tc := range []struct {
		sql  string
		want []string
	}{
		{"SELECT count(*) FROM patient", []string{"patient"}},
		{"WITH p AS (SELECT * FROM patient) SELECT * FROM p JOIN main.observation o ON o.patient_id = p.id", []string{"main.observation", "patient"}},
		{"SELECT 1", []string{}},
		{"EXPLAIN SELECT * FROM observation", []string{"observation"}},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			rows, err := s.Query(ctx, tc.sql)
			require.NoError(t, err)
			defer rows.Close()
			for rows.Next() {
			}
			tr, ok := rows.(interface{ Tables() []string })
			require.True(t, ok, "%T reports its tables", rows)
			require.Equal(t, tc.want, tr.Tables())
		})
	}
}
