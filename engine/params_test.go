package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParamTypes(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	s, err := env.e.Open(ctx, "demo", "alice")
	require.NoError(t, err)
	defer s.Close()
	pd := s.(*session)
	for _, tc := range []struct {
		sql  string
		want []uint32
	}{
		{"SELECT * FROM patient WHERE visits > $1 AND id = $2", []uint32{oidInt8, oidText}},
		{"SELECT * FROM patient WHERE birth_date < $1", []uint32{oidDate}},
		{"SELECT $1::DOUBLE + 1", []uint32{oidFloat8}},
		{"SELECT * FROM observation WHERE value BETWEEN $1 AND $2", []uint32{oidFloat8, oidFloat8}},
		{"SELECT 1", []uint32{}},
	} {
		got, err := pd.ParamTypes(ctx, tc.sql)
		require.NoError(t, err, tc.sql)
		require.Equal(t, tc.want, got, tc.sql)
	}
	_, err = pd.ParamTypes(ctx, "DELETE FROM patient WHERE id = $1")
	require.Error(t, err, "a statement that may not run is not prepared either")
}
