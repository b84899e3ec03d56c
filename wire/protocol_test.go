package wire

import (
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

// q is a simple Query message.
func q(sql string) pgproto3.FrontendMessage { return &pgproto3.Query{String: sql} }

// TestProtocolScripts drives the server with scripted frontend messages on
// a fresh connection per case and compares every backend message.
func TestProtocolScripts(t *testing.T) {
	tests := []struct {
		name string
		msgs []pgproto3.FrontendMessage
		want []string
	}{
		// First, so that the cases after it show the server still serves.
		{
			name: "panic closes only this connection",
			msgs: []pgproto3.FrontendMessage{q("SELECT panic")},
			want: []string{"ErrorResponse FATAL XX000 internal error: fake engine panic", "EOF"},
		},
		{
			name: "simple query with rows",
			msgs: []pgproto3.FrontendMessage{q("SELECT * FROM pets")},
			want: []string{
				"RowDescription id:20 name:25 weight:701 ok:16 born:1082 seen:1114",
				"DataRow 1|Rex|12.5|t|2020-03-01|2024-05-06 07:08:09.123456",
				"DataRow 2|Tom's|NULL|f|2019-12-31|2024-01-01 00:00:00",
				"CommandComplete SELECT 2", "ReadyForQuery I",
			},
		},
		{
			name: "multiple statements, strings and comments respected",
			msgs: []pgproto3.FrontendMessage{q("SELECT echo /* ; */ 1; SELECT echo ';' -- ;\n;;")},
			want: []string{
				"RowDescription echo:25", "DataRow SELECT echo /* ; */ 1", "CommandComplete SELECT 1",
				"RowDescription echo:25", "DataRow SELECT echo ';' -- ;", "CommandComplete SELECT 1",
				"ReadyForQuery I",
			},
		},
		{
			name: "empty query",
			msgs: []pgproto3.FrontendMessage{q(""), q(" ; -- nothing\n /* x /* y */ */ ;")},
			want: []string{"EmptyQueryResponse", "ReadyForQuery I", "EmptyQueryResponse", "ReadyForQuery I"},
		},
		{
			name: "error skips the rest, next query works",
			msgs: []pgproto3.FrontendMessage{q("SELECT bad; SELECT 1"), q("SELECT 1")},
			want: []string{
				`ErrorResponse ERROR 42703 column "bad" does not exist`, "ReadyForQuery I",
				"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I",
			},
		},
		{
			name: "non-sqlstate error is XX000, row error after rows",
			msgs: []pgproto3.FrontendMessage{q("SELECT plainerr"), q("SELECT rowerr")},
			want: []string{
				"ErrorResponse ERROR XX000 engine exploded", "ReadyForQuery I",
				"RowDescription n:20", "DataRow 1", "ErrorResponse ERROR 22012 division by zero", "ReadyForQuery I",
			},
		},
		{
			name: "failed transaction",
			msgs: []pgproto3.FrontendMessage{q("BEGIN"), q("SELECT bad"), q("SELECT 1"), q("SHOW TimeZone"), q("COMMIT"), q("SELECT 1")},
			want: []string{
				"CommandComplete BEGIN", "ReadyForQuery T",
				`ErrorResponse ERROR 42703 column "bad" does not exist`, "ReadyForQuery E",
				"ErrorResponse ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block", "ReadyForQuery E",
				"ErrorResponse ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block", "ReadyForQuery E",
				"CommandComplete ROLLBACK", "ReadyForQuery I",
				"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I",
			},
		},
		{
			name: "transaction warnings and savepoints",
			msgs: []pgproto3.FrontendMessage{q("COMMIT"), q("START TRANSACTION READ ONLY"), q("BEGIN"), q("SAVEPOINT a"),
				q("SELECT bad"), q("ROLLBACK TO SAVEPOINT a"), q("RELEASE b"), q("ROLLBACK TO a"), q("END"), q("SAVEPOINT x")},
			want: []string{
				"NoticeResponse WARNING 25P01 there is no transaction in progress", "CommandComplete COMMIT", "ReadyForQuery I",
				"CommandComplete START TRANSACTION", "ReadyForQuery T",
				"NoticeResponse WARNING 25001 there is already a transaction in progress", "CommandComplete BEGIN", "ReadyForQuery T",
				"CommandComplete SAVEPOINT", "ReadyForQuery T",
				`ErrorResponse ERROR 42703 column "bad" does not exist`, "ReadyForQuery E",
				"CommandComplete ROLLBACK", "ReadyForQuery T",
				`ErrorResponse ERROR 3B001 savepoint "b" does not exist`, "ReadyForQuery E",
				"CommandComplete ROLLBACK", "ReadyForQuery T",
				"CommandComplete COMMIT", "ReadyForQuery I",
				"ErrorResponse ERROR 25P01 SAVEPOINT can only be used in transaction blocks", "ReadyForQuery I",
			},
		},
		{
			name: "SET and SHOW",
			msgs: []pgproto3.FrontendMessage{q("SET TimeZone = 'Asia/Kolkata'"), q("show timezone"), q("SELECT types"),
				q("SET SESSION application_name TO 'my app'"), q("SHOW application_name"), q("SET threads = 4"),
				q("SET datestyle = german"), q("SET server_version = '9'"), q("RESET ALL"), q("SHOW TIME ZONE")},
			want: []string{
				"ParameterStatus TimeZone=Asia/Kolkata", "CommandComplete SET", "ReadyForQuery I",
				"RowDescription TimeZone:25", "DataRow Asia/Kolkata", "CommandComplete SHOW", "ReadyForQuery I",
				"RowDescription i8:20 f8:701 b:16 d:1082 ts:1114 tz:1184 t:25 num:1700 u:2950 by:17 j:3802 i4:23 f4:700",
				`DataRow -42|3.25|t|2024-02-29|2024-02-29 13:14:15.5|2024-02-29 18:44:15+05:30|héllo|12345.678901234567890|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|\xdead|{"a": [1, 2]}|7|1.5`,
				"CommandComplete SELECT 1", "ReadyForQuery I",
				"ParameterStatus application_name=my app", "CommandComplete SET", "ReadyForQuery I",
				"RowDescription application_name:25", "DataRow my app", "CommandComplete SHOW", "ReadyForQuery I",
				"CommandComplete SET", "ReadyForQuery I",
				`ErrorResponse ERROR 0A000 DateStyle "german" is not supported`, "ReadyForQuery I",
				`ErrorResponse ERROR 55P02 parameter "server_version" cannot be changed`, "ReadyForQuery I",
				"ParameterStatus application_name=", "ParameterStatus TimeZone=UTC", "CommandComplete RESET", "ReadyForQuery I",
				"RowDescription TimeZone:25", "DataRow UTC", "CommandComplete SHOW", "ReadyForQuery I",
			},
		},
		{
			name: "SET LOCAL reverts at commit, SET reverts at rollback",
			msgs: []pgproto3.FrontendMessage{q("SET LOCAL search_path = x"), q("BEGIN; SET LOCAL extra_float_digits = 0; SET TimeZone TO 'UTC'; SET application_name = a; COMMIT"),
				q("SHOW extra_float_digits"), q("BEGIN; SET application_name = b; ROLLBACK"), q("SHOW application_name")},
			want: []string{
				"NoticeResponse WARNING 25P01 SET LOCAL can only be used in transaction blocks", "CommandComplete SET", "ReadyForQuery I",
				"CommandComplete BEGIN", "CommandComplete SET", "CommandComplete SET", "ParameterStatus application_name=a", "CommandComplete SET",
				"CommandComplete COMMIT", "ReadyForQuery I",
				"RowDescription extra_float_digits:25", "DataRow 1", "CommandComplete SHOW", "ReadyForQuery I",
				"CommandComplete BEGIN", "ParameterStatus application_name=b", "CommandComplete SET",
				"ParameterStatus application_name=a", "CommandComplete ROLLBACK", "ReadyForQuery I",
				"RowDescription application_name:25", "DataRow a", "CommandComplete SHOW", "ReadyForQuery I",
			},
		},
		{
			name: "extended round trip with statement and portal describe",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Name: "s1", Query: "SELECT * FROM pets WHERE name = $1"},
				&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
				&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{[]byte("Rex")}},
				&pgproto3.Describe{ObjectType: 'P'},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{
				"ParseComplete", "ParameterDescription [25]",
				"RowDescription id:20 name:25 weight:701 ok:16 born:1082 seen:1114",
				"BindComplete", "RowDescription id:20 name:25 weight:701 ok:16 born:1082 seen:1114",
				"DataRow 1|Rex|12.5|t|2020-03-01|2024-05-06 07:08:09.123456",
				"DataRow 2|Tom's|NULL|f|2019-12-31|2024-01-01 00:00:00",
				"CommandComplete SELECT 2", "ReadyForQuery I",
			},
		},
		{
			name: "parameters are substituted as literals outside strings and comments",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "SELECT echo $1, '$1', $2::int8, $3, $4 -- $1", ParameterOIDs: []uint32{0, 0, 16, 1082}},
				&pgproto3.Bind{Parameters: [][]byte{[]byte("it's"), []byte("-42"), []byte("yes"), nil}},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{
				"ParseComplete", "BindComplete",
				"DataRow SELECT echo 'it''s', '$1', ((-42)::int8)::int8, TRUE, (NULL::date) -- $1",
				"CommandComplete SELECT 1", "ReadyForQuery I",
			},
		},
		{
			name: "binary parameters and results",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "SELECT echo $1", ParameterOIDs: []uint32{20}},
				&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 1, 0}}},
				&pgproto3.Execute{},
				&pgproto3.Parse{Query: "SELECT 1"},
				&pgproto3.Bind{ResultFormatCodes: []int16{1}},
				&pgproto3.Describe{ObjectType: 'P'},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{
				"ParseComplete", "BindComplete", "DataRow SELECT echo (256::int8)", "CommandComplete SELECT 1",
				"ParseComplete", "BindComplete", "RowDescription ?column?:23/b", "DataRow 0x00000001", "CommandComplete SELECT 1",
				"ReadyForQuery I",
			},
		},
		{
			name: "binary result for a type without binary support",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "SELECT odd"},
				&pgproto3.Bind{ResultFormatCodes: []int16{1}},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
				&pgproto3.Parse{Query: "SELECT odd"},
				&pgproto3.Bind{ResultFormatCodes: []int16{0, 1}},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{
				"ParseComplete", "BindComplete", `ErrorResponse ERROR 0A000 binary format is not supported for column "o" of type OID 99999`, "ReadyForQuery I",
				"ParseComplete", "BindComplete", "ErrorResponse ERROR 08P01 bind message has 2 result formats but query has 1 columns", "ReadyForQuery I",
			},
		},
		{
			name: "execute with row limit suspends the portal",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "SELECT * FROM pets"},
				&pgproto3.Bind{},
				&pgproto3.Execute{MaxRows: 1},
				&pgproto3.Execute{MaxRows: 1},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{
				"ParseComplete", "BindComplete",
				"DataRow 1|Rex|12.5|t|2020-03-01|2024-05-06 07:08:09.123456", "PortalSuspended",
				"DataRow 2|Tom's|NULL|f|2019-12-31|2024-01-01 00:00:00", "PortalSuspended",
				"CommandComplete SELECT 2", "ReadyForQuery I",
			},
		},
		{
			name: "error discards messages until sync",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "SELECT bad"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Parse{Query: "SELECT 1"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
				&pgproto3.Parse{Query: "SELECT 1"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{
				"ParseComplete", "BindComplete", `ErrorResponse ERROR 42703 column "bad" does not exist`, "ReadyForQuery I",
				"ParseComplete", "BindComplete", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I",
			},
		},
		{
			name: "statement lifecycle errors",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Name: "s", Query: "SELECT 1"},
				&pgproto3.Parse{Name: "s", Query: "SELECT 1"},
				&pgproto3.Sync{},
				&pgproto3.Close{ObjectType: 'S', Name: "s"},
				&pgproto3.Bind{PreparedStatement: "s"},
				&pgproto3.Sync{},
				&pgproto3.Parse{Query: "SELECT 1; SELECT 2"},
				&pgproto3.Sync{},
				&pgproto3.Parse{Query: "SELECT echo $2"},
				&pgproto3.Bind{Parameters: [][]byte{[]byte("x")}},
				&pgproto3.Sync{},
				&pgproto3.Execute{Portal: "nope"},
				&pgproto3.Sync{},
			},
			want: []string{
				"ParseComplete", `ErrorResponse ERROR 42P05 prepared statement "s" already exists`, "ReadyForQuery I",
				"CloseComplete", `ErrorResponse ERROR 26000 prepared statement "s" does not exist`, "ReadyForQuery I",
				"ErrorResponse ERROR 42601 cannot insert multiple commands into a prepared statement", "ReadyForQuery I",
				"ParseComplete", `ErrorResponse ERROR 08P01 bind message supplies 1 parameters, but prepared statement "" requires 2`, "ReadyForQuery I",
				`ErrorResponse ERROR 34000 portal "nope" does not exist`, "ReadyForQuery I",
			},
		},
		{
			name: "describe without result and empty statement",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Name: "c", Query: "CREATE TABLE t (a int)"},
				&pgproto3.Describe{ObjectType: 'S', Name: "c"},
				&pgproto3.Parse{Name: "sh", Query: "SHOW DateStyle"},
				&pgproto3.Describe{ObjectType: 'S', Name: "sh"},
				&pgproto3.Parse{Query: " -- nothing"},
				&pgproto3.Bind{},
				&pgproto3.Describe{ObjectType: 'P'},
				&pgproto3.Execute{},
				&pgproto3.Bind{PreparedStatement: "sh"},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{
				"ParseComplete", "ParameterDescription []", "NoData",
				"ParseComplete", "ParameterDescription []", "RowDescription DateStyle:25",
				"ParseComplete", "BindComplete", "NoData", "EmptyQueryResponse",
				"BindComplete", "DataRow ISO, MDY", "CommandComplete SHOW",
				"ReadyForQuery I",
			},
		},
		{
			name: "transaction statements in extended mode",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "BEGIN"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
				&pgproto3.Parse{Query: "SELECT bad"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
				&pgproto3.Parse{Query: "ROLLBACK"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
			},
			want: []string{
				"ParseComplete", "BindComplete", "CommandComplete BEGIN", "ReadyForQuery T",
				"ParseComplete", "BindComplete", `ErrorResponse ERROR 42703 column "bad" does not exist`, "ReadyForQuery E",
				"ParseComplete", "BindComplete", "CommandComplete ROLLBACK", "ReadyForQuery I",
			},
		},
		{
			name: "function call is refused, connection survives",
			msgs: []pgproto3.FrontendMessage{&pgproto3.FunctionCall{Function: 1}, q("SELECT 1")},
			want: []string{
				"ErrorResponse ERROR 0A000 function call messages are not supported", "ReadyForQuery I",
				"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I",
			},
		},
	}
	_, addr := startServer(t, newTestEngine())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := connect(t, addr, nil)
			n := 0
			for _, m := range tt.msgs {
				switch m.(type) {
				case *pgproto3.Query, *pgproto3.Sync, *pgproto3.FunctionCall:
					n++
				}
			}
			got := c.send(n, tt.msgs...)
			if len(got) > 0 && got[len(got)-1] != "EOF" && tt.want[len(tt.want)-1] == "EOF" {
				got = append(got, c.untilReady(1)...)
			}
			require.Equal(t, tt.want, got)
		})
	}
}
