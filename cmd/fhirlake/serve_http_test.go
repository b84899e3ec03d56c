package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServeHTTPOffLoopback: with no user, serve refuses a FHIR listener
// beyond loopback (anyone could get in); once a user exists it serves the
// network over TLS only, with the data folder's certificate, and every
// request must authenticate.
func TestServeHTTPOffLoopback(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	err := run(ctx, []string{"serve", "--data", data, "--pg", "127.0.0.1:0", "--http", "0.0.0.0:0"}, &out, &out)
	var ue *usageError
	require.True(t, errors.As(err, &ue), "%v", err)
	require.ErrorContains(t, err, "fhirlake user add")
	require.NotContains(t, out.String(), "ready")

	withStdin(t, "pw-root\n", func() {
		out.Reset()
		require.NoError(t, run(ctx, []string{"user", "--data", data, "--password-stdin", "add", "root"}, &out, &out), out.String())
	})
	out.Reset()
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "create", "ward"}, &out, &out), out.String())
	pr, pw := io.Pipe()
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		err := run(sctx, []string{"serve", "--data", data, "--pg", "127.0.0.1:0", "--http", "0.0.0.0:0", "--log-level", "warn"}, pw, io.Discard)
		pw.CloseWithError(err)
		done <- err
	}()
	defer func() { cancel(); <-done }()
	var addr string
	var printed strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(printed.String(), "\nready\n") {
		n, err := pr.Read(buf)
		require.NoError(t, err, printed.String())
		printed.Write(buf[:n])
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	for _, line := range strings.Split(printed.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "fhir:     listening on https://"); ok {
			addr = strings.TrimSuffix(rest, "/fhir")
		}
	}
	require.NotEmpty(t, addr, "an https listener:\n%s", printed.String())
	require.Contains(t, printed.String(), "tls:      required on the FHIR listener")
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)

	pem, err := os.ReadFile(filepath.Join(data, "tls", "server.crt"))
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pem))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "localhost"}}}
	get := func(path, user, password string) int {
		req, err := http.NewRequest("GET", "https://127.0.0.1:"+port+path, nil)
		require.NoError(t, err)
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, 200, get("/fhir/ward/metadata", "", ""))
	require.Equal(t, 401, get("/fhir/ward/Patient", "", ""))
	require.Equal(t, 200, get("/fhir/ward/Patient", "root", "pw-root"))

	// Plain HTTP is not served on that port.
	resp, err := http.Get("http://127.0.0.1:" + port + "/fhir/ward/metadata")
	if err == nil {
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "a TLS listener answers plain HTTP with 400 at most")
	}
}
