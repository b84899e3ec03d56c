package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFHIRKitClient drives the FHIR REST API of a running server with
// fhir-kit-client, a FHIR client library from npm
// (testdata/clients/fhir/fhirkit.js): capabilities, create, read, update,
// vread, patch, history, conditional create, transaction, batch, delete
// and errors. Without node it is skipped, and fails under CI=true; a
// missing node_modules is installed with npm ci (scripts/deps.sh does it
// beforehand), and if that fails the test is skipped, or fails under
// CI=true.
func TestFHIRKitClient(t *testing.T) {
	node := requireTool(t, "node")
	dir, err := filepath.Abs(filepath.Join("testdata", "clients", "fhir"))
	require.NoError(t, err)
	installNodeModules(t, dir, "fhir-kit-client")

	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "create", "clinic"}, &out, &out), out.String())
	srv := startServe(t, "--data", data)

	cmd := exec.Command(node, "fhirkit.js", "http://"+srv.httpAddr+"/fhir/clinic")
	cmd.Dir = dir
	got, err := cmd.CombinedOutput()
	t.Logf("node fhirkit.js:\n%s", got)
	require.NoError(t, err, "fhirkit.js failed:\n%s", got)
	for _, step := range []string{"capabilityStatement", "create", "read", "update", "vread", "patch", "resourceHistory",
		"typeHistory", "conditional create", "transaction", "batch", "delete", "read unknown"} {
		require.Contains(t, string(got), "ok "+step+"\n")
	}
	require.Contains(t, string(got), "all ok\n")
}

// installNodeModules runs npm ci in dir when node_modules lacks pkg. If
// npm is missing or fails (offline, say), the test is skipped, and fails
// under CI=true.
func installNodeModules(t *testing.T, dir, pkg string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg)); err == nil {
		return
	}
	npm := requireTool(t, "npm")
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm ci in %s is required under CI=true: %v\n%s", dir, err, b)
		}
		t.Skipf("npm ci in %s failed (run scripts/deps.sh): %v\n%s", dir, err, b)
	}
}
