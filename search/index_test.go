package search

import (
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

func TestIndexBuilder(t *testing.T) {
	body, err := os.ReadFile("testdata/synthea-observation.json")
	require.NoError(t, err)
	want, err := Extract(body)
	require.NoError(t, err)
	b := NewIndexBuilder(memory.DefaultAllocator)
	defer b.Release()
	require.NoError(t, b.Append(body))
	rec := b.NewRecord()
	defer rec.Release()
	require.EqualValues(t, want.Len()-len(want.Positions), rec.NumRows(), "every value is a row, composites too")
	require.Equal(t, IndexSchema().String(), rec.Schema().String())
	require.Zero(t, b.Len())
	require.Error(t, b.Append([]byte(`{"resourceType":"Nonsense"}`)))
	require.Zero(t, b.Len())
}

// TestIndexOpenPeriod checks that an open Period start is kept as
// MinTime, not as null, so that date prefixes still see it.
func TestIndexOpenPeriod(t *testing.T) {
	b := NewIndexBuilder(memory.DefaultAllocator)
	defer b.Release()
	require.NoError(t, b.Append([]byte(`{"resourceType":"Encounter","id":"e","status":"finished","class":{"code":"AMB"},"period":{"end":"2020-01-01"}}`)))
	rec := b.NewRecord()
	defer rec.Release()
	found := false
	for i := range int(rec.NumRows()) {
		if rec.Column(colParam).ValueStr(i) == "date" {
			found = true
			require.False(t, rec.Column(colTLo).IsNull(i), "open start is MinTime")
			require.False(t, rec.Column(colTHi).IsNull(i))
			require.True(t, rec.Column(colN).IsNull(i))
		}
	}
	require.True(t, found)
}
