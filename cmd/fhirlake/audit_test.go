package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/fhir/r4"
)

// writeAuditLog appends n FHIR read events, one a day from 2026-11-01,
// to <data>/audit.
func writeAuditLog(t *testing.T, data string, n int, key []byte) {
	t.Helper()
	ctx := context.Background()
	l, err := audit.Open(ctx, filepath.Join(data, "audit"), audit.Options{Key: key})
	require.NoError(t, err)
	for i := range n {
		_, err := l.Append(ctx, audit.Event{Kind: audit.KindFHIR, Time: time.Date(2026, 11, 1+i, 12, 0, 0, 0, time.UTC),
			Actor: audit.Actor{User: "alice"}, Source: "10.0.0.1:5000", DataStore: "ward", Action: "read",
			Resources: []string{"Patient/p" + string(rune('a'+i))}, Outcome: audit.HTTPOutcome(200, "")})
		require.NoError(t, err)
	}
	require.NoError(t, l.Close())
}

// TestAuditCLI runs audit verify and export against intact, keyed and
// tampered logs and checks output and exit class.
func TestAuditCLI(t *testing.T) {
	dir := t.TempDir()
	plain, keyed, tampered := filepath.Join(dir, "plain"), filepath.Join(dir, "keyed"), filepath.Join(dir, "tampered")
	keyFile, shortKey := filepath.Join(dir, "audit.key"), filepath.Join(dir, "short.key")
	key := []byte("0123456789abcdef0123456789abcdef")
	require.NoError(t, os.WriteFile(keyFile, append(key, '\n'), 0o600))
	require.NoError(t, os.WriteFile(shortKey, []byte("short\n"), 0o600))
	writeAuditLog(t, plain, 5, nil)
	writeAuditLog(t, keyed, 5, key)
	writeAuditLog(t, tampered, 5, nil)
	seg := filepath.Join(tampered, "audit", "000001.ndjson")
	b, err := os.ReadFile(seg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(seg, bytes.Replace(b, []byte("Patient/pc"), []byte("Patient/px"), 1), 0o600))
	outFile := filepath.Join(dir, "export.ndjson")

	for _, tc := range []struct {
		args      []string
		wantOut   []string
		wantErr   string
		wantUsage bool
	}{
		{args: []string{"audit"}, wantUsage: true, wantErr: "missing action"},
		{args: []string{"audit", "shred"}, wantUsage: true, wantErr: `unknown action "shred"`},
		{args: []string{"audit", "verify", "--data", plain}, wantOut: []string{"audit log intact: 5 records in 1 segment file(s) (sha256 chain); head seq 5"}},
		{args: []string{"audit", "verify", "--data", keyed, "--audit-key-file", keyFile}, wantOut: []string{"intact: 5 records", "hmac-sha256 chain"}},
		{args: []string{"audit", "verify", "--data", keyed}, wantOut: []string{"NOT intact: 0 records"}, wantErr: "000001.ndjson line 1 (seq 1): the log is keyed"},
		{args: []string{"audit", "verify", "--data", keyed, "--audit-key-file", shortKey}, wantErr: "at least 16 bytes"},
		{args: []string{"audit", "verify", "--data", tampered}, wantOut: []string{"NOT intact: 2 records"}, wantErr: "000001.ndjson line 3 (seq 3): hash mismatch"},
		{args: []string{"audit", "verify", "--data", filepath.Join(dir, "none")}, wantErr: "no audit log"},
		{args: []string{"audit", "verify", "--data", plain, "extra"}, wantUsage: true, wantErr: "takes no arguments"},
		{args: []string{"audit", "export", "--data", plain, "--since", "yesterday"}, wantUsage: true, wantErr: "--since"},
		{args: []string{"audit", "export", "--data", plain, "--since", "2026-11-04"}, wantOut: []string{`"id":"4"`, `"id":"5"`, `"Patient/pe"`}},
		{args: []string{"audit", "export", "--data", keyed, "--since", "2026-11-02T12:00:00Z", "--out", outFile}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, &out, &errOut)
			for _, w := range tc.wantOut {
				require.Contains(t, out.String(), w)
			}
			if tc.wantErr == "" {
				require.NoError(t, err, errOut.String())
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
			var ue *usageError
			require.Equal(t, tc.wantUsage, errors.As(err, &ue), "usage error class of %v", err)
		})
	}

	f, err := os.Open(outFile)
	require.NoError(t, err)
	defer f.Close()
	fi, err := f.Stat()
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		require.Empty(t, r4.Validate(sc.Bytes()))
		var ae struct{ ID string }
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ae))
		ids = append(ids, ae.ID)
	}
	require.NoError(t, sc.Err())
	require.Equal(t, []string{"2", "3", "4", "5"}, ids)
}
