package ingest

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/ingest/remote/s3test"
	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// sinkFunc is a Sink made of a function.
type sinkFunc func(ctx context.Context, in []store.Input) ([]store.Outcome, error)

func (f sinkFunc) Put(ctx context.Context, in []store.Input) ([]store.Outcome, error) {
	return f(ctx, in)
}

// TestImportS3MemoryIsBounded imports a 64 MB object and checks that the
// live heap grows by much less than the object: it is streamed, not
// downloaded whole.
func TestImportS3MemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads a 64 MB object")
	}
	srv := s3test.Start(t)
	srv.CreateBucket(t, "big")
	const n = 40000
	filler := strings.Repeat("lorem ipsum ", 130)
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"resourceType":"Observation","id":"o%d","status":"final","note":[{"text":"%s"}]}`+"\n", i, filler)
	}
	size := b.Len()
	srv.Put(t, "big", "obs.ndjson", b.Bytes())
	b = bytes.Buffer{}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	records := 0
	sink := sinkFunc(func(_ context.Context, in []store.Input) ([]store.Outcome, error) {
		records += len(in)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
		return make([]store.Outcome, len(in)), nil
	})
	sum, err := Import(context.Background(), sink, []string{"s3://big/obs.ndjson"}, Options{BatchSize: 1000})
	require.NoError(t, err)
	require.Equal(t, n, records)
	require.Equal(t, int64(size), sum.Bytes)
	growth := int64(peak - base)
	t.Logf("object %d MB, peak live heap growth %d MB", size>>20, growth>>20)
	require.Less(t, growth, int64(size)/3, "the object must be streamed")
}
