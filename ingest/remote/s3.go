package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// S3 lists and reads objects of S3 or an S3-compatible store. It is safe
// for concurrent use.
type S3 struct {
	client *s3.Client
}

// defaultRegion is used when an endpoint is set but no region is: most
// S3-compatible servers accept any region, and the SDK refuses none.
const defaultRegion = "us-east-1"

// NewS3 returns a client configured from the standard AWS environment
// variables and shared config files: AWS_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_PROFILE and so on. AWS_ENDPOINT_URL_S3 (or
// AWS_ENDPOINT_URL) points it at an S3-compatible server, which is then
// addressed path-style ("endpoint/bucket/key").
func NewS3(ctx context.Context) (*S3, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("remote: load AWS config: %w", err)
	}
	endpoint := os.Getenv("AWS_ENDPOINT_URL_S3")
	if endpoint == "" {
		endpoint = os.Getenv("AWS_ENDPOINT_URL")
	}
	if cfg.Region == "" && endpoint != "" {
		cfg.Region = defaultRegion
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Objects uploaded without a checksum (by older tools, or copied
		// into a store's folder) are normal in a data lake: the SDK's log
		// line about each of them would only be noise on stderr.
		o.DisableLogOutputChecksumValidationSkipped = true
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
	})
	return &S3{client: client}, nil
}

// List returns the objects at loc, sorted by key: the object whose key is
// exactly loc.Prefix if there is one, else every object under the "folder"
// loc.Prefix (keys starting with loc.Prefix + "/"; the whole bucket when
// the prefix is empty or ends in "/"). Folder markers (keys ending in "/")
// are left out. No object at all is an error naming the URI, as are a
// missing bucket and a denied listing.
func (c *S3) List(ctx context.Context, loc Location) ([]Object, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket)}
	if loc.Prefix != "" {
		in.Prefix = aws.String(loc.Prefix)
	}
	folder := loc.Prefix
	if folder != "" && !strings.HasSuffix(folder, "/") {
		folder += "/"
	}
	var out []Object
	pages := s3.NewListObjectsV2Paginator(c.client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, &Error{Op: "list", URI: loc.String(), Err: err}
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if key == loc.Prefix && !strings.HasSuffix(key, "/") {
				return []Object{{Bucket: loc.Bucket, Key: key, Size: aws.ToInt64(o.Size)}}, nil
			}
			if strings.HasPrefix(key, folder) && !strings.HasSuffix(key, "/") {
				out = append(out, Object{Bucket: loc.Bucket, Key: key, Size: aws.ToInt64(o.Size)})
			}
		}
	}
	if len(out) == 0 {
		return nil, &Error{Op: "list", URI: loc.String(), Err: ErrNoObjects}
	}
	return out, nil
}

// Open starts reading o. The body is streamed from the server as the
// caller reads it; the caller closes it. It is an [OpenFunc].
func (c *S3) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	out, err := c.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)})
	if err != nil {
		return nil, &Error{Op: "get", URI: o.URI(), Err: err}
	}
	return out.Body, nil
}

// ErrNoObjects means an s3:// URI matched no object.
var ErrNoObjects = errors.New("no objects found")

// Error is a failed S3 operation on one URI.
type Error struct {
	Op  string // "list" or "get"
	URI string
	Err error
}

// Error returns "remote: op uri: reason", where the reason is the
// server's error code and message when it sent one (e.g. "NoSuchBucket:
// The specified bucket does not exist") rather than the SDK's long chain.
func (e *Error) Error() string {
	return fmt.Sprintf("remote: %s %s: %s", e.Op, e.URI, Reason(e.Err))
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Reason describes err briefly: the S3 error code and message if err
// carries them, else err's text.
func Reason(err error) string {
	var se *Error
	if errors.As(err, &se) {
		err = se.Err
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if msg := api.ErrorMessage(); msg != "" {
			return api.ErrorCode() + ": " + msg
		}
		return api.ErrorCode()
	}
	return err.Error()
}
