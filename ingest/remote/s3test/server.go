package s3test

import (
	"bytes"
	"context"
	"fmt"
	"go/build"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Root credentials of the servers Start runs.
const (
	AccessKey = "fhirlake-test"
	SecretKey = "fhirlake-test-secret"
)

// Server is a running versitygw.
type Server struct {
	Endpoint string // "http://127.0.0.1:PORT"
	Admin    string // endpoint of the admin API
	bin      string
}

// Start runs versitygw for the duration of tb and sets AWS_ENDPOINT_URL_S3,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION for it (and
// hides the user's AWS config files), so code using the default AWS
// configuration talks to it. Tests using it cannot run in parallel.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := binary(tb)
	dir := tb.TempDir()
	data, iam := filepath.Join(dir, "data"), filepath.Join(dir, "iam")
	for _, d := range []string{data, iam} {
		if err := os.Mkdir(d, 0o755); err != nil {
			tb.Fatalf("s3test: %v", err)
		}
	}
	port, adminPort := freePort(tb), freePort(tb)
	cmd := exec.Command(bin, "--port", port, "--admin-port", adminPort, "--iam-dir", iam,
		"--keep-alive", "--quiet", "posix", data)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+AccessKey, "ROOT_SECRET_KEY="+SecretKey)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("s3test: start %s: %v", bin, err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for _, addr := range []string{port, adminPort} {
		if err := waitListening(addr, 15*time.Second); err != nil {
			tb.Fatalf("s3test: versitygw did not start: %v\n%s", err, out.String())
		}
	}
	s := &Server{Endpoint: "http://" + port, Admin: "http://" + adminPort, bin: bin}
	s.UseCredentials(tb, AccessKey, SecretKey)
	return s
}

// UseCredentials points the AWS environment of tb at s with the given
// keys.
func (s *Server) UseCredentials(tb testing.TB, access, secret string) {
	tb.Setenv("AWS_ENDPOINT_URL_S3", s.Endpoint)
	tb.Setenv("AWS_ACCESS_KEY_ID", access)
	tb.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	tb.Setenv("AWS_REGION", "us-east-1")
	tb.Setenv("AWS_CONFIG_FILE", os.DevNull)
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	tb.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// CreateUser adds a user with the "user" role, which can reach only its
// own buckets.
func (s *Server) CreateUser(tb testing.TB, access, secret string) {
	tb.Helper()
	out, err := exec.Command(s.bin, "admin", "--access", AccessKey, "--secret", SecretKey,
		"--endpoint-url", s.Admin, "create-user", "--access", access, "--secret", secret, "--role", "user").CombinedOutput()
	if err != nil {
		tb.Fatalf("s3test: create user: %v\n%s", err, out)
	}
}

// Client returns an S3 client with the root credentials.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	})
}

// CreateBucket creates a bucket owned by the root user.
func (s *Server) CreateBucket(tb testing.TB, bucket string) {
	tb.Helper()
	if _, err := s.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		tb.Fatalf("s3test: create bucket %s: %v", bucket, err)
	}
}

// Put uploads data to bucket/key.
func (s *Server) Put(tb testing.TB, bucket, key string, data []byte) {
	tb.Helper()
	_, err := s.Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
	})
	if err != nil {
		tb.Fatalf("s3test: put s3://%s/%s: %v", bucket, key, err)
	}
}

// binary finds versitygw, or skips tb (fails it under CI=true).
func binary(tb testing.TB) string {
	tb.Helper()
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		gopath = build.Default.GOPATH
	}
	p := filepath.Join(filepath.SplitList(gopath)[0], "bin", "versitygw")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	msg := "s3test: versitygw not found on PATH or in GOPATH/bin (run scripts/deps.sh, or go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// freePort returns a loopback address with a port free at the time.
func freePort(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("s3test: %v", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// waitListening polls addr until it accepts a connection.
func waitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
