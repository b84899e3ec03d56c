package wire

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

func TestParseLocal(t *testing.T) {
	tests := []struct {
		sql      string
		want     *localStmt // nil: sent to the engine
		wantCode string
	}{
		{"SELECT 1", nil, ""},
		{"begin", &localStmt{kind: localBegin, tag: "BEGIN"}, ""},
		{"BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY", &localStmt{kind: localBegin, tag: "BEGIN"}, ""},
		{"START TRANSACTION", &localStmt{kind: localBegin, tag: "START TRANSACTION"}, ""},
		{"START x", nil, ""},
		{"commit work", &localStmt{kind: localCommit, tag: "COMMIT"}, ""},
		{"END", &localStmt{kind: localCommit, tag: "COMMIT"}, ""},
		{"COMMIT PREPARED 'x'", nil, ""},
		{"ABORT", &localStmt{kind: localRollback, tag: "ROLLBACK"}, ""},
		{"ROLLBACK TRANSACTION TO SAVEPOINT \"Sp\"", &localStmt{kind: localRollbackTo, tag: "ROLLBACK", name: "Sp"}, ""},
		{"SAVEPOINT Sp", &localStmt{kind: localSavepoint, tag: "SAVEPOINT", name: "sp"}, ""},
		{"RELEASE SAVEPOINT sp", &localStmt{kind: localRelease, tag: "RELEASE", name: "sp"}, ""},
		{"SAVEPOINT", nil, "42601"},
		{"SET timezone = 'Europe/Paris'", &localStmt{kind: localSet, tag: "SET", name: "TimeZone", value: "Europe/Paris"}, ""},
		{"SET SESSION TIME ZONE -8", &localStmt{kind: localSet, tag: "SET", name: "TimeZone", value: "-8"}, ""},
		{"set time zone local", &localStmt{kind: localSet, tag: "SET", name: "TimeZone", isDefault: true}, ""},
		{"SET LOCAL search_path TO \"$user\", public", &localStmt{kind: localSet, tag: "SET", name: "search_path", value: `"$user", public`, isLocal: true}, ""},
		{"SET DateStyle = ISO, DMY", &localStmt{kind: localSet, tag: "SET", name: "DateStyle", value: "ISO, DMY"}, ""},
		{"SET extra_float_digits TO DEFAULT", &localStmt{kind: localSet, tag: "SET", name: "extra_float_digits", isDefault: true}, ""},
		{"SET NAMES 'UTF8'", &localStmt{kind: localSet, tag: "SET", name: "client_encoding", value: "UTF8"}, ""},
		{"SET application_name = E'a\\'b'", &localStmt{kind: localSet, tag: "SET", name: "application_name", value: "a'b"}, ""},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", &localStmt{kind: localNoop, tag: "SET"}, ""},
		{"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", &localStmt{kind: localNoop, tag: "SET"}, ""},
		{"SET threads = 4", nil, ""},
		{"SET my.setting = 1", nil, ""},
		{"SET application_name", nil, "42601"},
		{"SET application_name = ", nil, "42601"},
		{"SET application_name = (1)", nil, "42601"},
		{"RESET ALL", &localStmt{kind: localReset, tag: "RESET"}, ""},
		{"RESET TimeZone", &localStmt{kind: localReset, tag: "RESET", name: "TimeZone"}, ""},
		{"RESET TIME ZONE", &localStmt{kind: localReset, tag: "RESET", name: "TimeZone"}, ""},
		{"RESET memory_limit", nil, ""},
		{"SHOW ALL", &localStmt{kind: localShow, tag: "SHOW"}, ""},
		{"show DATESTYLE", &localStmt{kind: localShow, tag: "SHOW", name: "DateStyle"}, ""},
		{"SHOW TRANSACTION ISOLATION LEVEL", &localStmt{kind: localShow, tag: "SHOW", name: "transaction_isolation"}, ""},
		{"SHOW tables", nil, ""},
		{"-- c\nSHOW server_version", &localStmt{kind: localShow, tag: "SHOW", name: "server_version"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			got, ok, err := parseLocal(tt.sql)
			if tt.wantCode != "" {
				require.True(t, ok)
				require.Equal(t, tt.wantCode, errorResponse(err).Code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want != nil, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSettings(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		want     string
		wantCode string
	}{
		{"DateStyle", "iso", "ISO, MDY", ""},
		{"DateStyle", "ISO, DMY", "ISO, DMY", ""},
		{"DateStyle", "Postgres", "", "0A000"},
		{"client_encoding", "utf-8", "UTF8", ""},
		{"client_encoding", "SQL_ASCII", "SQL_ASCII", ""},
		{"client_encoding", "LATIN1", "", "0A000"},
		{"TimeZone", "America/New_York", "America/New_York", ""},
		{"TimeZone", "Mars/Olympus", "", "22023"},
		{"extra_float_digits", "3", "3", ""},
		{"extra_float_digits", "4", "", "22023"},
		{"statement_timeout", "1.5s", "1.5s", ""},
		{"statement_timeout", "5 parsecs", "", "22023"},
		{"default_transaction_read_only", "TRUE", "on", ""},
		{"transaction_isolation", "REPEATABLE  read", "repeatable read", ""},
		{"standard_conforming_strings", "off", "", "0A000"},
		{"integer_datetimes", "off", "", "55P02"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			s := newSettings("15.0", "u")
			g, ok := lookupGUC(tt.name)
			require.True(t, ok)
			err := s.set(g, tt.value)
			if tt.wantCode != "" {
				require.Equal(t, tt.wantCode, errorResponse(err).Code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, s[g.name])
		})
	}
	s := newSettings("15.2", "u")
	require.Equal(t, "150002", s["server_version_num"])
	require.NoError(t, s.set(&gucs[slicesIndex("statement_timeout")], "2min"))
	require.Equal(t, 2*time.Minute, s.statementTimeout())
	require.Equal(t, [][2]string{{"a", "b c"}, {"search_path", "x"}, {"d", "e"}}, parseOptions(`-c a=b\ c --search-path=x -cd=e junk`))
}

// slicesIndex returns the index of the named GUC.
func slicesIndex(name string) int {
	for i, g := range gucs {
		if g.name == name {
			return i
		}
	}
	return -1
}

// TestDeallocate drops protocol-level prepared statements by SQL, as
// psqlODBC does, and DISCARD ALL drops them all and resets the settings.
func TestDeallocate(t *testing.T) {
	_, addr := startServer(t, newTestEngine())
	c, _ := connect(t, addr, nil)
	require.Equal(t, []string{"ParseComplete", "ReadyForQuery I"}, c.send(1, &pgproto3.Parse{Name: "_PLAN1", Query: "SELECT 1"}, &pgproto3.Sync{}))
	require.Equal(t, []string{"CommandComplete DEALLOCATE", "ReadyForQuery I"}, c.query(`DEALLOCATE "_PLAN1"`))
	require.Equal(t, []string{"ParseComplete", "ReadyForQuery I"}, c.send(1, &pgproto3.Parse{Name: "_PLAN1", Query: "SELECT 1"}, &pgproto3.Sync{}), "the name is free again")
	require.Equal(t, []string{`ErrorResponse ERROR 26000 prepared statement "nope" does not exist`, "ReadyForQuery I"}, c.query("DEALLOCATE PREPARE nope"))
	require.Equal(t, []string{"CommandComplete DEALLOCATE ALL", "ReadyForQuery I"}, c.query("DEALLOCATE ALL"))
	require.Equal(t, []string{"ParseComplete", "ReadyForQuery I"}, c.send(1, &pgproto3.Parse{Name: "_PLAN1", Query: "SELECT 1"}, &pgproto3.Sync{}))

	require.Equal(t, []string{"ParameterStatus application_name=x", "CommandComplete SET", "ReadyForQuery I"}, c.query("SET application_name = 'x'"))
	require.Equal(t, []string{"ParameterStatus application_name=", "CommandComplete DISCARD ALL", "ReadyForQuery I"}, c.query("DISCARD ALL"))
	require.Equal(t, []string{"ParseComplete", "ReadyForQuery I"}, c.send(1, &pgproto3.Parse{Name: "_PLAN1", Query: "SELECT 1"}, &pgproto3.Sync{}))
	got := c.query("BEGIN; DISCARD ALL")
	require.Contains(t, got, "ErrorResponse ERROR 25001 DISCARD ALL cannot run inside a transaction block")
	require.Contains(t, c.query("DEALLOCATE x y"), "ErrorResponse ERROR 42601 syntax error at or near \"y\"")
}
