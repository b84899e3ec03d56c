package ingest

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/ingest/csvmap"
	"github.com/fhirlake/fhirlake/ingest/remote/s3test"
)

// TestImportCSVFromS3 reads a zstd-compressed CSV extract found under an
// s3:// prefix, beside an NDJSON object: rejections name the object's
// URI and line.
func TestImportCSVFromS3(t *testing.T) {
	labs, err := csvmap.Load(bytes.NewReader(csvFixture(t, "labs.json")))
	require.NoError(t, err)
	srv := s3test.Start(t)
	srv.CreateBucket(t, "lake")
	srv.Put(t, "lake", "extracts/labs.csv.zst", zstdBytes(t, csvFixture(t, "labs.csv")))
	srv.Put(t, "lake", "extracts/other.ndjson", goodNDJSON)
	var rejects []string
	sum, err := Import(context.Background(), openStore(t), []string{"s3://lake/extracts"}, Options{
		CSV:    labs,
		Reject: func(e *RecordError) { rejects = append(rejects, e.Error()) },
	})
	require.NoError(t, err)
	require.Equal(t, 2, sum.Files)
	require.Empty(t, sum.Skipped)
	require.Equal(t, map[string]*TypeCounts{"Patient": {Created: 3}, "Observation": {Created: 5}}, sum.ByType)
	require.Len(t, rejects, 5)
	require.Equal(t, `s3://lake/extracts/labs.csv.zst:5: column "TEST_CODE": "XYZ" is not in lookup "labcode"`, rejects[0])
}
