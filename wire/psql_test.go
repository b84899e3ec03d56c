package wire

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// psqlPath returns the psql binary; without it the test is skipped, or
// fails under CI=true.
func psqlPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("psql")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("psql is required under CI=true: %v", err)
		}
		t.Skipf("psql not found: %v", err)
	}
	return p
}

// runPsql runs psql against addr with args and returns stdout, stderr.
func runPsql(t *testing.T, addr string, args ...string) (string, string, error) {
	t.Helper()
	host, port, _ := strings.Cut(addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, psqlPath(t), append([]string{"-X", "-h", host, "-p", port, "-U", "alice", "-d", "db"}, args...)...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=5", "PGAPPNAME=psqltest", "PGPASSWORD=", "PGSSLMODE=prefer")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func TestPsql(t *testing.T) {
	psqlPath(t)
	_, addr := startServer(t, newTestEngine())
	tests := []struct {
		name       string
		args       []string
		wantOut    string
		wantErrOut []string // substrings of stderr
	}{
		{
			name:    "rows",
			args:    []string{"-A", "-t", "-c", "SELECT * FROM pets"},
			wantOut: "1|Rex|12.5|t|2020-03-01|2024-05-06 07:08:09.123456\n2|Tom's||f|2019-12-31|2024-01-01 00:00:00\n",
		},
		{
			name:    "session statements",
			args:    []string{"-A", "-t", "-c", "SET TimeZone = 'UTC'", "-c", "SHOW application_name", "-c", "BEGIN", "-c", "COMMIT"},
			wantOut: "SET\npsqltest\nBEGIN\nCOMMIT\n",
		},
		{
			name:       "error with SQLSTATE, then the next command runs",
			args:       []string{"-A", "-t", "-v", "ON_ERROR_STOP=0", "-c", `\set VERBOSITY verbose`, "-c", "SELECT bad", "-c", "SELECT 1"},
			wantOut:    "1\n",
			wantErrOut: []string{`ERROR:  42703: column "bad" does not exist`, "LINE 1: SELECT bad", "DETAIL:  some detail", "HINT:  some hint"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runPsql(t, addr, tt.args...)
			if len(tt.wantErrOut) == 0 {
				require.NoError(t, err, errOut)
				require.Empty(t, errOut)
			}
			require.Equal(t, tt.wantOut, out)
			for _, s := range tt.wantErrOut {
				require.Contains(t, errOut, s)
			}
		})
	}
}
