package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCLI runs subcommands in sequence against one data folder and checks
// their output and exit class (nil, usage error, other error).
func TestCLI(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	steps := []struct {
		args      []string
		wantOut   []string
		wantErr   string
		wantUsage bool
	}{
		{args: []string{"version"}, wantOut: []string{"fhirlake "}},
		{args: nil, wantUsage: true, wantErr: "missing command"},
		{args: []string{"frobnicate"}, wantUsage: true, wantErr: `unknown command "frobnicate"`},
		{args: []string{"datastore", "--data", data, "list"}, wantOut: []string{"NAME"}},
		{args: []string{"datastore", "--data", data, "create", "research"}, wantOut: []string{"created data store research"}},
		{args: []string{"datastore", "--data", data, "create", "research"}, wantErr: "already exists"},
		{args: []string{"datastore", "--data", data, "create", "Bad-Name"}, wantErr: "invalid data store name"},
		{args: []string{"datastore", "--data", data, "list"}, wantOut: []string{"research"}},
		{args: []string{"datastore", "--data", data, "describe", "research"}, wantOut: []string{"data store research", "patient", "observation", "Patient"}},
		{args: []string{"datastore", "--data", data, "describe", "nope"}, wantErr: "not found"},
		{args: []string{"datastore", "--data", data, "describe"}, wantUsage: true, wantErr: "exactly one NAME"},
		{args: []string{"datastore", "--data", data, "rename", "x"}, wantUsage: true, wantErr: "unknown action"},
		{args: []string{"datastore", "--data", data, "delete", "research"}, wantOut: []string{"deleted data store research"}},
		{args: []string{"datastore", "--data", data, "delete", "research"}, wantErr: "not found"},
		{args: []string{"import", "--data", data}, wantUsage: true, wantErr: "no PATH given"},
		{args: []string{"import", "--data", data, filepath.Join(data, "missing")}, wantErr: "no such file"},
		{args: []string{"generate", "--out", t.TempDir()}, wantUsage: false, wantErr: "--patients"},
		{args: []string{"serve", "--data", data, "--log-level", "loud"}, wantUsage: true, wantErr: "--log-level"},
		{args: []string{"serve", "--data", data, "--nope"}, wantUsage: true, wantErr: "flag provided but not defined"},
	}
	for _, s := range steps {
		var out, errw bytes.Buffer
		err := run(context.Background(), s.args, &out, &errw)
		name := strings.Join(s.args, " ")
		if s.wantErr == "" {
			require.NoError(t, err, "%s\n%s", name, errw.String())
		} else {
			require.ErrorContains(t, err, s.wantErr, name)
			var ue *usageError
			if s.wantUsage {
				require.True(t, errors.As(err, &ue), "%s: want a usage error (exit 2), got %v", name, err)
			}
		}
		for _, w := range s.wantOut {
			require.Contains(t, out.String(), w, name)
		}
	}
}
