package wire

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

// copyOut sends msgs and reads up to n ReadyForQuery: the summaries of
// the messages, with every CopyData as "CopyData", and the copied bytes.
func (c *client) copyOut(n int, msgs ...pgproto3.FrontendMessage) ([]string, string) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	require.NoError(c.t, c.fe.Flush())
	var out []string
	var data bytes.Buffer
	for n > 0 {
		msg, err := c.fe.Receive()
		require.NoError(c.t, err)
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			data.Write(m.Data)
			if len(out) == 0 || out[len(out)-1] != "CopyData" {
				out = append(out, "CopyData")
			}
			continue
		case *pgproto3.CopyOutResponse:
			out = append(out, fmt.Sprintf("CopyOutResponse %d %v", m.OverallFormat, m.ColumnFormatCodes))
			continue
		case *pgproto3.ReadyForQuery:
			n--
		}
		out = append(out, summary(msg))
	}
	return out, data.String()
}

// pgcopyHeader is the start of binary COPY data.
const pgcopyHeader = "PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00"

func TestCopyToStdout(t *testing.T) {
	petsText := "1\tRex\t12.5\tt\t2020-03-01\t2024-05-06 07:08:09.123456\n" +
		"2\tTom's\t\\N\tf\t2019-12-31\t2024-01-01 00:00:00\n"
	petsCSV := "1,Rex,12.5,t,2020-03-01,2024-05-06 07:08:09.123456\n" +
		"2,Tom's,,f,2019-12-31,2024-01-01 00:00:00\n"
	header := "id,name,weight,ok,born,seen\n"
	ok := func(format int, ncols int, tag string) []string {
		codes := make([]uint16, ncols)
		for i := range codes {
			codes[i] = uint16(format)
		}
		return []string{fmt.Sprintf("CopyOutResponse %d %v", format, codes), "CopyData", "CopyDone", "CommandComplete " + tag, "ReadyForQuery I"}
	}
	tests := []struct {
		name, sql string
		wantQuery string // what the engine ran
		want      []string
		wantData  string
	}{
		{"text", "COPY (SELECT * FROM pets) TO STDOUT", "SELECT * FROM pets", ok(0, 6, "COPY 2"), petsText},
		{"text header", "copy (SELECT * FROM pets) to stdout (header)", "SELECT * FROM pets", ok(0, 6, "COPY 2"),
			"id\tname\tweight\tok\tborn\tseen\n" + petsText},
		{"old csv header", "COPY (SELECT * FROM pets) TO STDOUT WITH CSV HEADER", "SELECT * FROM pets", ok(0, 6, "COPY 2"), header + petsCSV},
		{"new csv", "COPY ( SELECT * FROM pets ) TO STDOUT WITH (FORMAT csv, HEADER true)", "SELECT * FROM pets", ok(0, 6, "COPY 2"), header + petsCSV},
		{"csv header false", "COPY (SELECT * FROM pets) TO STDOUT (FORMAT 'csv', HEADER false)", "SELECT * FROM pets", ok(0, 6, "COPY 2"), petsCSV},
		{"csv options", "COPY (SELECT * FROM pets) TO STDOUT (FORMAT csv, DELIMITER ';', NULL 'NA', FORCE_QUOTE (name, id))",
			"SELECT * FROM pets", ok(0, 6, "COPY 2"),
			"\"1\";\"Rex\";12.5;t;2020-03-01;2024-05-06 07:08:09.123456\n\"2\";\"Tom's\";NA;f;2019-12-31;2024-01-01 00:00:00\n"},
		{"old force quote all", "COPY pets TO STDOUT CSV QUOTE AS '''' FORCE QUOTE *", "SELECT * FROM pets", ok(0, 6, "COPY 2"),
			"'1','Rex','12.5','t','2020-03-01','2024-05-06 07:08:09.123456'\n'2','Tom''s',,'f','2019-12-31','2024-01-01 00:00:00'\n"},
		{"table", `COPY main."pets" TO STDOUT`, `SELECT * FROM main."pets"`, ok(0, 6, "COPY 2"), petsText},
		{"table columns", "COPY pets (id, name) TO STDOUT", "SELECT id, name FROM pets", ok(0, 6, "COPY 2"), petsText},
		{"text escapes", "COPY (SELECT tricky) TO STDOUT", "SELECT tricky", ok(0, 2, "COPY 9"),
			"1\ttab\\there\n2\tline\\nbreak\\r\n3\tback\\\\slash\n4\t\n5\t\\N\n6\tsay \"hi\", ok\n7\t\\\\.\n8\t\\\\N\n\\N\tplain\n"},
		{"text delimiter", "COPY (SELECT tricky) TO STDOUT (DELIMITER ',', NULL '')", "SELECT tricky", ok(0, 2, "COPY 9"),
			"1,tab\\there\n2,line\\nbreak\\r\n3,back\\\\slash\n4,\n5,\n6,say \"hi\"\\, ok\n7,\\\\.\n8,\\\\N\n,plain\n"},
		{"csv quoting", "COPY (SELECT tricky) TO STDOUT CSV", "SELECT tricky", ok(0, 2, "COPY 9"),
			"1,tab\there\n2,\"line\nbreak\r\"\n3,back\\slash\n4,\"\"\n5,\n6,\"say \"\"hi\"\", ok\"\n7,\"\\.\"\n8,\\N\n,plain\n"},
		{"csv escape", "COPY (SELECT tricky) TO STDOUT (FORMAT csv, ESCAPE '\\', NULL '\\N')", "SELECT tricky", ok(0, 2, "COPY 9"),
			"1,tab\there\n2,\"line\nbreak\r\"\n3,back\\slash\n4,\n5,\\N\n6,\"say \\\"hi\\\", ok\"\n7,\"\\\\.\"\n8,\"\\\\N\"\n\\N,plain\n"},
		{"binary", "COPY (SELECT 1) TO STDOUT (FORMAT binary)", "SELECT 1", ok(1, 1, "COPY 1"),
			pgcopyHeader + "\x00\x01\x00\x00\x00\x04\x00\x00\x00\x01\xff\xff"},
		{"old binary", "COPY (SELECT tricky) TO STDOUT WITH BINARY", "SELECT tricky", ok(1, 2, "COPY 9"), ""},
	}
	e := newTestEngine()
	_, addr := startServer(t, e)
	c, _ := connect(t, addr, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = t
			got, data := c.copyOut(1, &pgproto3.Query{String: tt.sql})
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.wantQuery, e.lastQuery())
			if tt.wantData != "" {
				require.Equal(t, tt.wantData, data)
			}
		})
	}
	t.Run("binary tricky", func(t *testing.T) {
		c.t = t
		_, data := c.copyOut(1, &pgproto3.Query{String: "COPY (SELECT tricky) TO STDOUT (FORMAT binary)"})
		var want strings.Builder
		want.WriteString(pgcopyHeader)
		for _, r := range trickyRows().data {
			want.WriteString("\x00\x02")
			for i, v := range r {
				switch {
				case v == nil:
					want.WriteString("\xff\xff\xff\xff")
				case i == 0:
					fmt.Fprintf(&want, "\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00%c", byte(v.(int64)))
				default:
					s := v.(string)
					fmt.Fprintf(&want, "%c%c%c%c%s", 0, 0, 0, byte(len(s)), s)
				}
			}
		}
		want.WriteString("\xff\xff")
		require.Equal(t, want.String(), data)
	})
}

// TestCopyRefused checks the COPY forms that are refused and the option
// errors, all before any CopyOutResponse.
func TestCopyRefused(t *testing.T) {
	tests := []struct{ sql, want string }{
		{"COPY pets FROM STDIN", "ErrorResponse ERROR 42501 permission denied: COPY FROM is not allowed, the data is read-only"},
		{"COPY pets (id) FROM '/etc/passwd'", "ErrorResponse ERROR 42501 permission denied: COPY FROM is not allowed, the data is read-only"},
		{"COPY pets TO '/tmp/x.csv' CSV", "ErrorResponse ERROR 42501 permission denied: COPY to a server file is not allowed"},
		{"COPY (SELECT 1) TO PROGRAM 'rm -rf /'", "ErrorResponse ERROR 42501 permission denied: COPY TO PROGRAM is not allowed"},
		{"COPY (SELECT 1) TO STDOUT (FORMAT xml)", `ErrorResponse ERROR 22023 COPY format "xml" not recognized`},
		{"COPY (SELECT 1) TO STDOUT (FORMAT binary, HEADER)", "ErrorResponse ERROR 0A000 cannot specify DELIMITER, NULL or HEADER in BINARY mode"},
		{"COPY (SELECT 1) TO STDOUT (QUOTE '\"')", "ErrorResponse ERROR 0A000 COPY QUOTE, ESCAPE and FORCE_QUOTE are available only in CSV mode"},
		{"COPY (SELECT 1) TO STDOUT (DELIMITER 'ab')", "ErrorResponse ERROR 22023 COPY delimiter must be a single one-byte character"},
		{"COPY (SELECT 1) TO STDOUT CSV DELIMITER '\"'", "ErrorResponse ERROR 22023 COPY delimiter and quote must be different"},
		{"COPY (SELECT 1) TO STDOUT (ENCODING 'LATIN1')", `ErrorResponse ERROR 0A000 COPY encoding "LATIN1" is not supported, only UTF8`},
		{"COPY (SELECT 1) TO STDOUT (FREEZE)", `ErrorResponse ERROR 0A000 COPY option "freeze" is only available for COPY FROM`},
		{"COPY (SELECT 1) TO STDOUT (BOGUS 1)", `ErrorResponse ERROR 42601 option "bogus" not recognized`},
		{"COPY (SELECT 1) TO STDOUT junk", `ErrorResponse ERROR 42601 syntax error at or near "junk"`},
		{"COPY (SELECT 1) TO STDOUT (FORMAT csv", "ErrorResponse ERROR 42601 syntax error at end of input"},
		{"COPY (SELECT 1 TO STDOUT", "ErrorResponse ERROR 42601 syntax error at end of input"},
		{"COPY () TO STDOUT", `ErrorResponse ERROR 42601 syntax error at or near "TO"`},
		{"COPY pets", "ErrorResponse ERROR 42601 syntax error at end of input"},
		{"COPY (SELECT * FROM pets) TO STDOUT CSV FORCE QUOTE nope", `ErrorResponse ERROR 42P10 FORCE_QUOTE column "nope" not referenced by COPY`},
		{"COPY (SELECT bad) TO STDOUT", `ErrorResponse ERROR 42703 column "bad" does not exist`},
		{"COPY (SELECT odd) TO STDOUT BINARY", `ErrorResponse ERROR 0A000 binary format is not supported for column "o" of type OID 99999`},
	}
	_, addr := startServer(t, newTestEngine())
	c, _ := connect(t, addr, nil)
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			c.t = t
			require.Equal(t, []string{tt.want, "ReadyForQuery I"}, c.query(tt.sql))
		})
	}
	t.Run("failed transaction", func(t *testing.T) {
		c.t = t
		got := c.query("BEGIN; SELECT bad; COPY (SELECT 1) TO STDOUT")
		require.Equal(t, "ReadyForQuery E", got[len(got)-1])
		require.Equal(t, []string{"ErrorResponse ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block",
			"ReadyForQuery E"}, c.query("COPY (SELECT 1) TO STDOUT"))
		c.query("ROLLBACK")
	})
	t.Run("row error", func(t *testing.T) {
		c.t = t
		got, _ := c.copyOut(1, &pgproto3.Query{String: "COPY (SELECT rowerr) TO STDOUT"})
		require.Equal(t, []string{"CopyOutResponse 0 [0]", "ErrorResponse ERROR 22012 division by zero", "ReadyForQuery I"}, got)
	})
}

// TestCopyExtended runs COPY through Parse/Bind/Describe/Execute, as
// Postgres allows: Describe gives NoData, Execute the copy.
func TestCopyExtended(t *testing.T) {
	_, addr := startServer(t, newTestEngine())
	c, _ := connect(t, addr, nil)
	got, data := c.copyOut(1, &pgproto3.Parse{Query: "COPY (SELECT * FROM pets WHERE id > $1) TO STDOUT (FORMAT csv)"},
		&pgproto3.Bind{Parameters: [][]byte{[]byte("0")}}, &pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{})
	require.Equal(t, []string{"ParseComplete", "BindComplete", "NoData", "CopyOutResponse 0 [0 0 0 0 0 0]", "CopyData", "CopyDone",
		"CommandComplete COPY 2", "ReadyForQuery I"}, got)
	require.Equal(t, "1,Rex,12.5,t,2020-03-01,2024-05-06 07:08:09.123456\n2,Tom's,,f,2019-12-31,2024-01-01 00:00:00\n", data)
}

// TestCopyBatchLikeRows checks that Arrow batches copy to exactly the
// bytes the same values give through Rows.Values, in every format, read
// with pgconn's CopyTo.
func TestCopyBatchLikeRows(t *testing.T) {
	addr, _ := typedServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn, err := pgconn.Connect(ctx, fmt.Sprintf("postgres://alice@%s/db?sslmode=disable", addr))
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, opts := range []string{"", "(FORMAT csv, HEADER)", "(FORMAT binary)"} {
		copyTo := func(query string) string {
			var buf bytes.Buffer
			tag, err := conn.CopyTo(ctx, &buf, "COPY ("+query+") TO STDOUT "+opts)
			require.NoError(t, err, opts)
			require.Equal(t, "COPY 5", tag.String())
			return buf.String()
		}
		want := copyTo("SELECT rows")
		require.NotEmpty(t, want)
		require.Equal(t, want, copyTo("SELECT batch"), opts)
	}
}
