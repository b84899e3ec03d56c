package engine

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/wire"
)

// BenchmarkWireStream streams 1M rows of (bigint, double, varchar) from a
// Parquet-backed view through the real wire server to a pgx client over
// loopback, in binary and text results: the path of the wire suite's
// big SELECT, for profiling without the bench harness.
func BenchmarkWireStream(b *testing.B) {
	env := newEnv(b)
	const n = 1_000_000
	env.cat.setViews("demo", view("big", env.w.file("demo", "big.parquet",
		"SELECT range AS id, (range * 0.5)::DOUBLE AS value, 'row-' || range AS label FROM range(1000000)")))
	ctx := context.Background()
	require.NoError(b, env.e.Refresh(ctx, "demo"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := wire.NewServer(env.e, wire.Options{})
	go srv.Serve(ctx, ln)
	defer srv.Shutdown(ctx)
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://bench@%s/demo?sslmode=disable", ln.Addr()))
	require.NoError(b, err)
	defer conn.Close(ctx)
	for _, format := range []struct {
		name string
		code int16
	}{{"binary", pgx.BinaryFormatCode}, {"text", pgx.TextFormatCode}} {
		b.Run(format.name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				rows, err := conn.Query(ctx, "SELECT id, value, label FROM big", pgx.QueryResultFormats{format.code})
				require.NoError(b, err)
				var id int64
				var v float64
				var label string
				count := 0
				for rows.Next() {
					if err := rows.Scan(&id, &v, &label); err != nil {
						b.Fatal(err)
					}
					count++
				}
				require.NoError(b, rows.Err())
				require.Equal(b, n, count)
			}
			b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
		})
	}
}
