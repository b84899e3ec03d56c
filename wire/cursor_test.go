package wire

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

// TestCursorScript runs cursor statements in order on one connection;
// each step's replies are compared whole.
func TestCursorScript(t *testing.T) {
	rows := func(tag string, vals ...string) []string {
		out := []string{"RowDescription n:20"}
		for _, v := range vals {
			out = append(out, "DataRow "+v)
		}
		return append(out, "CommandComplete "+tag)
	}
	ready := func(tx string, msgs ...string) []string { return append(msgs, "ReadyForQuery "+tx) }
	steps := []struct {
		sql  string
		want []string
	}{
		{"DECLARE c CURSOR FOR SELECT many", ready("I", "ErrorResponse ERROR 25P01 DECLARE CURSOR can only be used in transaction blocks")},
		{"BEGIN", ready("T", "CommandComplete BEGIN")},
		{"DECLARE c NO SCROLL CURSOR WITHOUT HOLD FOR SELECT many", ready("T", "CommandComplete DECLARE CURSOR")},
		{"FETCH 2 FROM c", ready("T", rows("FETCH 2", "0", "1")...)},
		{"FETCH c", ready("T", rows("FETCH 1", "2")...)},
		{"fetch next in c", ready("T", rows("FETCH 1", "3")...)},
		{"MOVE FORWARD 10 IN c", ready("T", "CommandComplete MOVE 10")},
		{"FETCH FORWARD 2 FROM c", ready("T", rows("FETCH 2", "14", "15")...)},
		{"FETCH ABSOLUTE 20 FROM c", ready("T", rows("FETCH 1", "19")...)},
		{"FETCH RELATIVE 3 FROM c", ready("T", rows("FETCH 1", "22")...)},
		{"FETCH FORWARD 0 FROM c", ready("E", "ErrorResponse ERROR 55000 cursor can only scan forward")},
		{"ROLLBACK", ready("I", "CommandComplete ROLLBACK")},
		{"BEGIN", ready("T", "CommandComplete BEGIN")},
		{"DECLARE c CURSOR FOR SELECT many", ready("T", "CommandComplete DECLARE CURSOR")},
		{"FETCH PRIOR FROM c", ready("E", "ErrorResponse ERROR 55000 cursor can only scan forward")},
		{"FETCH c", ready("E", "ErrorResponse ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block")},
		{"ROLLBACK", ready("I", "CommandComplete ROLLBACK")},
		{"FETCH c", ready("I", `ErrorResponse ERROR 34000 cursor "c" does not exist`)},
		{"BEGIN; DECLARE c CURSOR FOR SELECT many; MOVE 995 c; FETCH ALL c", ready("T", "CommandComplete BEGIN", "CommandComplete DECLARE CURSOR",
			"CommandComplete MOVE 995", "RowDescription n:20", "DataRow 995", "DataRow 996", "DataRow 997", "DataRow 998", "DataRow 999", "CommandComplete FETCH 5")},
		{"FETCH c", ready("T", rows("FETCH 0")...)},
		{"MOVE ALL c", ready("T", "CommandComplete MOVE 0")},
		{"DECLARE c CURSOR FOR SELECT 1", ready("E", `ErrorResponse ERROR 42P03 cursor "c" already exists`)},
		{"ROLLBACK", ready("I", "CommandComplete ROLLBACK")},
		// WITH HOLD outlives the transaction, and may be declared outside one.
		{"DECLARE h CURSOR WITH HOLD FOR SELECT many", ready("I", "CommandComplete DECLARE CURSOR")},
		{"BEGIN; DECLARE t CURSOR FOR SELECT many; COMMIT", ready("I", "CommandComplete BEGIN", "CommandComplete DECLARE CURSOR", "CommandComplete COMMIT")},
		{"FETCH t", ready("I", `ErrorResponse ERROR 34000 cursor "t" does not exist`)},
		{"MOVE ABSOLUTE 500 IN h", ready("I", "CommandComplete MOVE 1")},
		{"FETCH 1 h", ready("I", rows("FETCH 1", "500")...)},
		// Another statement materialises the cursor, which goes on where it was.
		{"SELECT 1", ready("I", "RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1")},
		{"FETCH 2 h", ready("I", rows("FETCH 2", "501", "502")...)},
		{"FETCH ABSOLUTE 2000 h", ready("I", rows("FETCH 0")...)},
		{"CLOSE h", ready("I", "CommandComplete CLOSE CURSOR")},
		{"CLOSE h", ready("I", `ErrorResponse ERROR 34000 cursor "h" does not exist`)},
		{"BEGIN; DECLARE a CURSOR FOR SELECT 1; DECLARE b BINARY CURSOR FOR SELECT * FROM pets; FETCH 1 FROM b",
			ready("T", "CommandComplete BEGIN", "CommandComplete DECLARE CURSOR", "CommandComplete DECLARE CURSOR",
				"RowDescription id:20/b name:25/b weight:701/b ok:16/b born:1082/b seen:1114/b",
				"DataRow 0x0000000000000001|Rex|0x4029000000000000|0x01|0x00001cc5|0x0002bac2801b6a80", "CommandComplete FETCH 1")},
		{"CLOSE ALL; FETCH a", ready("E", "CommandComplete CLOSE CURSOR ALL", `ErrorResponse ERROR 34000 cursor "a" does not exist`)},
		{"ROLLBACK; BEGIN; DECLARE x CURSOR FOR SHOW ALL", ready("E", "CommandComplete ROLLBACK", "CommandComplete BEGIN",
			"ErrorResponse ERROR 42601 DECLARE CURSOR must be followed by a query (SELECT, WITH, VALUES)")},
		{"ROLLBACK; DECLARE x CURSOR WITH HOLD FOR SELECT bad", ready("I", "CommandComplete ROLLBACK", `ErrorResponse ERROR 42703 column "bad" does not exist`)},
		{"DECLARE x CURSOR WITH HOLD", ready("I", "ErrorResponse ERROR 42601 syntax error at end of input")},
		{"FETCH FORWARD FROM", ready("I", "ErrorResponse ERROR 42601 syntax error at end of input")},
		{"DISCARD ALL", ready("I", "CommandComplete DISCARD ALL")},
	}
	_, addr := startServer(t, newTestEngine())
	c, _ := connect(t, addr, nil)
	for _, s := range steps {
		require.Equal(t, s.want, c.query(s.sql), s.sql)
	}
}

// TestCursorExtended fetches from a cursor through the extended protocol,
// Execute with a row limit suspending the FETCH.
func TestCursorExtended(t *testing.T) {
	_, addr := startServer(t, newTestEngine())
	c, _ := connect(t, addr, nil)
	require.Equal(t, []string{"CommandComplete BEGIN", "CommandComplete DECLARE CURSOR", "ReadyForQuery T"},
		c.query("BEGIN; DECLARE c CURSOR FOR SELECT many"))
	got := c.send(1, &pgproto3.Parse{Query: "FETCH 5 FROM c"}, &pgproto3.Bind{DestinationPortal: "p", ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P', Name: "p"},
		&pgproto3.Execute{Portal: "p", MaxRows: 2}, &pgproto3.Execute{Portal: "p", MaxRows: 2}, &pgproto3.Execute{Portal: "p", MaxRows: 2},
		&pgproto3.Sync{})
	require.Equal(t, []string{"ParseComplete", "BindComplete", "RowDescription n:20/b",
		"DataRow 0x0000000000000000", "DataRow 0x0000000000000001", "PortalSuspended",
		"DataRow 0x0000000000000002", "DataRow 0x0000000000000003", "PortalSuspended",
		"DataRow 0x0000000000000004", "CommandComplete FETCH 5", "ReadyForQuery T"}, got)
	require.Equal(t, []string{"RowDescription n:20", "DataRow 5", "CommandComplete FETCH 1", "ReadyForQuery T"}, c.query("FETCH c"))
	// A suspended FETCH whose cursor is closed meanwhile fails cleanly.
	got = c.send(1, &pgproto3.Parse{Query: "FETCH 5 FROM c"}, &pgproto3.Bind{DestinationPortal: "q"},
		&pgproto3.Execute{Portal: "q", MaxRows: 1}, &pgproto3.Parse{Name: "close", Query: "CLOSE c"}, &pgproto3.Bind{PreparedStatement: "close"},
		&pgproto3.Execute{}, &pgproto3.Execute{Portal: "q"}, &pgproto3.Sync{})
	require.Equal(t, []string{"ParseComplete", "BindComplete", "DataRow 6", "PortalSuspended", "ParseComplete", "BindComplete",
		"CommandComplete CLOSE CURSOR", "ErrorResponse ERROR 34000 cursor was closed while fetching from it", "ReadyForQuery E"}, got)
	c.query("ROLLBACK; BEGIN; DECLARE c CURSOR FOR SELECT many; MOVE 6 c")
	// Describe of a FETCH statement gives the cursor's columns.
	got = c.send(1, &pgproto3.Parse{Name: "f", Query: "FETCH 1 FROM c"}, &pgproto3.Describe{ObjectType: 'S', Name: "f"},
		&pgproto3.Parse{Name: "g", Query: "FETCH 1 FROM nope"}, &pgproto3.Describe{ObjectType: 'S', Name: "g"}, &pgproto3.Sync{})
	require.Equal(t, []string{"ParseComplete", "ParameterDescription []", "RowDescription n:20", "ParseComplete", "ParameterDescription []", "NoData", "ReadyForQuery T"}, got)
}

// TestCursorBatchLikeRows fetches a batch result and the same rows as Go
// values in steps that cross batch boundaries, with a materialisation in
// the middle: the replies must be identical.
func TestCursorBatchLikeRows(t *testing.T) {
	addr, _ := typedServer(t)
	c, _ := connect(t, addr, nil)
	script := func(query string, binary string) [][]string {
		var out [][]string
		for _, sql := range []string{"BEGIN", "DECLARE c " + binary + " CURSOR FOR " + query, "FETCH 1 c", "MOVE 1 c", "FETCH 1 c",
			"SELECT other", "FETCH 3 c", "FETCH c", "COMMIT"} {
			out = append(out, c.query(sql))
		}
		return out
	}
	for _, binary := range []string{"", "BINARY"} {
		want := script("SELECT rows", binary)
		require.Equal(t, want, script("SELECT batch", binary), binary)
		require.Contains(t, want[6], "CommandComplete FETCH 2")
	}
	// Without the materialisation, straight from the batches.
	require.Equal(t, c.query("BEGIN; DECLARE c CURSOR FOR SELECT rows; MOVE 1 c; FETCH 3 c; COMMIT"),
		c.query("BEGIN; DECLARE c CURSOR FOR SELECT batch; MOVE 1 c; FETCH 3 c; COMMIT"))
}

// TestParseCursorStmt checks the parsed directions.
func TestParseCursorStmt(t *testing.T) {
	tests := []struct {
		sql  string
		want cursorStmt
	}{
		{"FETCH c", cursorStmt{name: "c", kind: fetchForward, count: 1}},
		{"FETCH -3 FROM c", cursorStmt{name: "c", kind: fetchBackward, count: 3}},
		{"FETCH BACKWARD -2 c", cursorStmt{name: "c", kind: fetchForward, count: 2}},
		{"FETCH FORWARD ALL IN \"C\"", cursorStmt{name: "C", kind: fetchForward, count: 1, all: true}},
		{"FETCH LAST c", cursorStmt{name: "c", kind: fetchAbsolute, count: -1}},
		{"FETCH FIRST c", cursorStmt{name: "c", kind: fetchAbsolute, count: 1}},
		{"MOVE RELATIVE -1 c", cursorStmt{name: "c", kind: fetchRelative, count: -1}},
		{"DECLARE \"x y\" BINARY INSENSITIVE SCROLL CURSOR WITH HOLD FOR  SELECT 1 ", cursorStmt{name: "x y", binary: true, scroll: true, hold: true, query: "SELECT 1"}},
	}
	for _, tt := range tests {
		l, ok, err := parseLocal(tt.sql)
		require.NoError(t, err, tt.sql)
		require.True(t, ok, tt.sql)
		require.Equal(t, tt.want, *l.cur, tt.sql)
	}
}

// TestCursorOutlivesStatementTimeout checks that statement_timeout bounds
// each statement, not the life of a cursor.
func TestCursorOutlivesStatementTimeout(t *testing.T) {
	_, addr := startServer(t, newTestEngine())
	c, _ := connect(t, addr, nil)
	require.Equal(t, []string{"CommandComplete SET", "CommandComplete BEGIN", "CommandComplete DECLARE CURSOR", "ReadyForQuery T"},
		c.query("SET statement_timeout = 20; BEGIN; DECLARE c CURSOR FOR SELECT many"))
	time.Sleep(60 * time.Millisecond)
	require.Equal(t, []string{"RowDescription n:20", "DataRow 0", "CommandComplete FETCH 1", "ReadyForQuery T"}, c.query("FETCH c"))
}

// TestCursorMemoryCap checks that an open cursor whose rest is too large
// to keep in memory while another statement runs reports 53200 at its
// next FETCH, and the session goes on.
func TestCursorMemoryCap(t *testing.T) {
	old := maxCursorValues
	maxCursorValues = 10
	defer func() { maxCursorValues = old }()
	_, addr := startServer(t, newTestEngine())
	c, _ := connect(t, addr, nil)
	c.query("BEGIN")
	c.query("DECLARE big CURSOR FOR SELECT many")
	require.Contains(t, c.query("FETCH 1 big"), "DataRow 0")
	require.Contains(t, c.query("SELECT 1"), "DataRow 1", "another statement runs")
	got := c.query("FETCH 1 big")
	require.Contains(t, strings.Join(got, "\n"), "ErrorResponse ERROR 53200")
	c.query("ROLLBACK")
	require.Contains(t, c.query("SELECT 1"), "DataRow 1")
}
