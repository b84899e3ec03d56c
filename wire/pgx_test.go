package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"
)

// pgxConnect serves e and connects the real pgx client to it over TCP.
func pgxConnect(t *testing.T, e *testEngine, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	_, addr := startServer(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://alice@%s/db?sslmode=disable&application_name=pgxtest", addr))
	require.NoError(t, err)
	cfg.DefaultQueryExecMode = mode
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestPgx(t *testing.T) {
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeDescribeExec, pgx.QueryExecModeSimpleProtocol} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			e := newTestEngine()
			conn := pgxConnect(t, e, mode)

			// Rows of every common type, scanned into Go values.
			var (
				i8, i4    int64
				f8        float64
				f4        float32
				b         bool
				d, ts, tz time.Time
				text, u   string
				num       pgtype.Numeric
				by        []byte
				js        map[string]any
			)
			require.NoError(t, conn.QueryRow(ctx, "SELECT types").Scan(&i8, &f8, &b, &d, &ts, &tz, &text, &num, &u, &by, &js, &i4, &f4))
			require.Equal(t, int64(-42), i8)
			require.Equal(t, 3.25, f8)
			require.True(t, b)
			require.Equal(t, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), d)
			require.Equal(t, time.Date(2024, 2, 29, 13, 14, 15, 500000000, time.UTC), ts)
			require.True(t, tz.Equal(time.Date(2024, 2, 29, 13, 14, 15, 0, time.UTC)), tz)
			require.Equal(t, "héllo", text)
			nv, err := num.Value()
			require.NoError(t, err)
			require.Equal(t, "12345.678901234567890", nv)
			require.Equal(t, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", u)
			require.Equal(t, []byte{0xde, 0xad}, by)
			require.Equal(t, map[string]any{"a": []any{1.0, 2.0}}, js)
			require.Equal(t, int64(7), i4)
			require.Equal(t, float32(1.5), f4)

			// Several rows, with NULL.
			rows, err := conn.Query(ctx, "SELECT * FROM pets WHERE name <> $1", "it's")
			require.NoError(t, err)
			type pet struct {
				ID     int64
				Name   string
				Weight *float64
				OK     bool
				Born   time.Time
				Seen   time.Time
			}
			pets, err := pgx.CollectRows(rows, pgx.RowToStructByPos[pet])
			require.NoError(t, err)
			require.Len(t, pets, 2)
			require.Equal(t, "Tom's", pets[1].Name)
			require.Nil(t, pets[1].Weight)
			require.Equal(t, 12.5, *pets[0].Weight)
			require.Equal(t, time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC), pets[0].Seen)
			require.Contains(t, e.lastQuery(), "'it''s'")

			// Typed parameters.
			var echo string
			require.NoError(t, conn.QueryRow(ctx, "SELECT echo $1::int8, $2::float8, $3::bool, $4::date",
				int64(math.MaxInt64), 0.1, true, time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC)).Scan(&echo))
			if mode == pgx.QueryExecModeSimpleProtocol {
				require.Contains(t, echo, "9223372036854775807")
			} else {
				require.Equal(t, "SELECT echo (9223372036854775807::int8)::int8, (0.1::float8)::float8, TRUE::bool, ('2001-02-03'::date)::date", echo)
			}

			// Errors carry every field and the connection stays usable.
			_, err = conn.Exec(ctx, "SELECT bad")
			var pgErr *pgconn.PgError
			require.True(t, errors.As(err, &pgErr), err)
			require.Equal(t, "42703", pgErr.Code)
			require.Equal(t, "ERROR", pgErr.Severity)
			require.Equal(t, "ERROR", pgErr.SeverityUnlocalized)
			require.Equal(t, "some detail", pgErr.Detail)
			require.Equal(t, "some hint", pgErr.Hint)
			require.Equal(t, int32(8), pgErr.Position)

			// Transactions.
			tx, err := conn.Begin(ctx)
			require.NoError(t, err)
			var one int32
			require.NoError(t, tx.QueryRow(ctx, "SELECT 1").Scan(&one))
			require.Equal(t, int32(1), one)
			require.NoError(t, tx.Commit(ctx))

			var tzName string
			require.NoError(t, conn.QueryRow(ctx, "SHOW application_name").Scan(&tzName))
			require.Equal(t, "pgxtest", tzName)
		})
	}
}

// TestPgxBinaryResults checks the raw binary encoding requested through
// pgconn (result format 1 for every column).
func TestPgxBinaryResults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn := pgxConnect(t, newTestEngine(), pgx.QueryExecModeCacheStatement)
	res := conn.PgConn().ExecParams(ctx, "SELECT types", nil, nil, nil, []int16{1}).Read()
	require.NoError(t, res.Err)
	require.Len(t, res.Rows, 1)
	row := res.Rows[0]
	require.Equal(t, uint64(math.MaxUint64-41), binary.BigEndian.Uint64(row[0]), "int8 -42")
	require.Equal(t, 3.25, math.Float64frombits(binary.BigEndian.Uint64(row[1])))
	require.Equal(t, []byte{1}, row[2])
	require.Equal(t, int32(8825), int32(binary.BigEndian.Uint32(row[3])), "days from 2000-01-01 to 2024-02-29")
	us := time.Date(2024, 2, 29, 13, 14, 15, 500000000, time.UTC).Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).Microseconds()
	require.Equal(t, us, int64(binary.BigEndian.Uint64(row[4])))
	require.Equal(t, "héllo", string(row[6]))
	require.Equal(t, []byte{0xde, 0xad}, row[9])
	require.Equal(t, append([]byte{1}, `{"a": [1, 2]}`...), row[10], "jsonb version byte then text")
	require.Equal(t, []byte{0, 0, 0, 7}, row[11])
	for i, f := range res.FieldDescriptions {
		require.Equal(t, int16(1), f.Format, "column %d", i)
	}
}

// TestPgxCancelRequest cancels a running query with pgconn's
// CancelRequest, which opens a second connection with the cancel key.
func TestPgxCancelRequest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	e := newTestEngine()
	conn := pgxConnect(t, e, pgx.QueryExecModeSimpleProtocol)
	canceled := make(chan error, 1)
	go func() {
		<-e.running
		canceled <- conn.PgConn().CancelRequest(ctx)
	}()
	_, err := conn.Exec(ctx, "SELECT sleep")
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), err)
	require.Equal(t, "57014", pgErr.Code)
	require.NoError(t, <-canceled)
	var one int32
	require.NoError(t, conn.QueryRow(ctx, "SELECT 1").Scan(&one))
}
