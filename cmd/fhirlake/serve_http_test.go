package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServeRefusesHTTPOffLoopback: the FHIR API does not authenticate
// clients yet, so serve refuses to listen for it beyond loopback.
func TestServeRefusesHTTPOffLoopback(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve", "--data", filepath.Join(t.TempDir(), "data"),
		"--pg", "127.0.0.1:0", "--http", "0.0.0.0:0"}, &out, &out)
	var ue *usageError
	require.True(t, errors.As(err, &ue), "%v", err)
	require.ErrorContains(t, err, "loopback only")
	require.NotContains(t, out.String(), "ready")
}
