// Package remote lists and opens the objects an import reads when they
// live in S3 or an S3-compatible store, and reads several of them ahead in
// parallel while the caller consumes them one at a time, in order.
//
// [S3] wraps the AWS SDK for Go v2 (https://aws.github.io/aws-sdk-go-v2/):
// region, credentials and endpoint come from the standard AWS environment
// variables and shared config files (config.LoadDefaultConfig). When an
// endpoint is set (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL), path-style
// addressing is used, as S3-compatible servers expect. Objects are listed
// with ListObjectsV2 (paginated) and read with GetObject as streams, never
// buffered whole.
//
// [Prefetch] opens up to N objects at a time and reads each ahead into a
// bounded buffer, so network latency overlaps parsing while memory stays
// bounded by N times the read-ahead size.
//
// [ParseURI] splits "s3://bucket/prefix" into its parts.
package remote
