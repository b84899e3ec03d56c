package remote_test

import (
	"context"
	"io"
	"testing"

	"github.com/fhirlake/fhirlake/ingest/remote"
	"github.com/fhirlake/fhirlake/ingest/remote/s3test"
	"github.com/stretchr/testify/require"
)

func TestS3ListOpen(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "lake")
	for _, k := range []string{"a/1.ndjson", "a/2.ndjson", "a/sub/3.ndjson", "ab/x.ndjson", "top.ndjson"} {
		srv.Put(t, "lake", k, []byte("body of "+k))
	}
	srv.Put(t, "lake", "a/empty/", nil) // a folder marker
	srv.CreateBucket(t, "empty")
	ctx := context.Background()
	c, err := remote.NewS3(ctx)
	require.NoError(t, err)

	tests := []struct {
		uri     string
		want    []string
		wantErr string
	}{
		{uri: "s3://lake", want: []string{"a/1.ndjson", "a/2.ndjson", "a/sub/3.ndjson", "ab/x.ndjson", "top.ndjson"}},
		{uri: "s3://lake/a", want: []string{"a/1.ndjson", "a/2.ndjson", "a/sub/3.ndjson"}},
		{uri: "s3://lake/a/", want: []string{"a/1.ndjson", "a/2.ndjson", "a/sub/3.ndjson"}},
		{uri: "s3://lake/a/2.ndjson", want: []string{"a/2.ndjson"}},
		{uri: "s3://lake/nothing/", wantErr: "remote: list s3://lake/nothing/: no objects found"},
		{uri: "s3://empty", wantErr: "remote: list s3://empty/: no objects found"},
		{uri: "s3://missing/x", wantErr: "remote: list s3://missing/x: NoSuchBucket: The specified bucket does not exist."},
	}
	for _, tc := range tests {
		t.Run(tc.uri, func(t *testing.T) {
			loc, err := remote.ParseURI(tc.uri)
			require.NoError(t, err)
			objs, err := c.List(ctx, loc)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var keys []string
			for _, o := range objs {
				keys = append(keys, o.Key)
				require.Equal(t, int64(len("body of "+o.Key)), o.Size)
				rc, err := c.Open(ctx, o)
				require.NoError(t, err)
				body, err := io.ReadAll(rc)
				require.NoError(t, err)
				require.NoError(t, rc.Close())
				require.Equal(t, "body of "+o.Key, string(body))
			}
			require.Equal(t, tc.want, keys)
		})
	}

	_, err = c.Open(ctx, remote.Object{Bucket: "lake", Key: "gone.ndjson"})
	require.EqualError(t, err, "remote: get s3://lake/gone.ndjson: NoSuchKey: The specified key does not exist.")
}

// TestS3AccessDenied lists a bucket with a user who does not own it.
func TestS3AccessDenied(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "private")
	srv.Put(t, "private", "x.ndjson", []byte("{}"))
	srv.CreateUser(t, "intruder", "intruder-secret")
	srv.UseCredentials(t, "intruder", "intruder-secret")
	ctx := context.Background()
	c, err := remote.NewS3(ctx)
	require.NoError(t, err)
	_, err = c.List(ctx, remote.Location{Bucket: "private"})
	require.ErrorContains(t, err, "remote: list s3://private/: AccessDenied")
	_, err = c.Open(ctx, remote.Object{Bucket: "private", Key: "x.ndjson"})
	require.ErrorContains(t, err, "remote: get s3://private/x.ndjson: AccessDenied")
}
