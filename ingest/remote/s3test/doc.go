// Package s3test runs a real S3-compatible server, Versity Gateway
// (https://github.com/versity/versitygw), on loopback for tests, in the
// spirit of net/http/httptest.
//
// [Start] launches "versitygw posix" over a temporary folder on a free
// port and points the AWS environment variables of the test at it. The
// binary is looked up on PATH and in $(go env GOPATH)/bin; scripts/deps.sh
// installs it. When it is missing the test is skipped, except under
// CI=true, where it fails.
package s3test
