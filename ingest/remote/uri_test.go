package remote

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		uri     string
		want    Location
		wantErr string
	}{
		{uri: "s3://b", want: Location{Bucket: "b"}},
		{uri: "s3://b/", want: Location{Bucket: "b"}},
		{uri: "s3://b/a/c.ndjson", want: Location{Bucket: "b", Prefix: "a/c.ndjson"}},
		{uri: "s3://b/dir/", want: Location{Bucket: "b", Prefix: "dir/"}},
		{uri: "s3:///x", wantErr: `remote: "s3:///x" has no bucket name`},
		{uri: "/tmp/x", wantErr: `remote: "/tmp/x" is not an s3:// URI`},
	}
	for _, tc := range tests {
		t.Run(tc.uri, func(t *testing.T) {
			got, err := ParseURI(tc.uri)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
