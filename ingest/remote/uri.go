package remote

import (
	"fmt"
	"strings"
)

// Scheme is the URI prefix of S3 locations.
const Scheme = "s3://"

// IsS3 reports whether path is an S3 URI ("s3://bucket/...").
func IsS3(path string) bool { return strings.HasPrefix(path, Scheme) }

// Location is a bucket and a key prefix, parsed from "s3://bucket/prefix".
type Location struct {
	Bucket string
	Prefix string // "" for the whole bucket
}

// ParseURI parses "s3://bucket" or "s3://bucket/prefix".
func ParseURI(uri string) (Location, error) {
	if !IsS3(uri) {
		return Location{}, fmt.Errorf("remote: %q is not an s3:// URI", uri)
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(uri, Scheme), "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("remote: %q has no bucket name", uri)
	}
	return Location{Bucket: bucket, Prefix: prefix}, nil
}

// String returns the location as an s3:// URI.
func (l Location) String() string { return Scheme + l.Bucket + "/" + l.Prefix }
