package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkScan streams 1M rows of (bigint, double, varchar) from a
// Parquet-backed view through wire.Rows.
func BenchmarkScan(b *testing.B) {
	env := newEnv(b)
	const n = 1_000_000
	env.cat.setViews("demo", view("big", env.w.file("demo", "big.parquet",
		"SELECT range AS id, (range * 0.5)::DOUBLE AS value, 'row-' || range AS label FROM range(1000000)")))
	ctx := context.Background()
	require.NoError(b, env.e.Refresh(ctx, "demo"))
	s, err := env.e.Open(ctx, "demo", "bench")
	require.NoError(b, err)
	defer s.Close()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		r, err := s.Query(ctx, "SELECT id, value, label FROM big")
		require.NoError(b, err)
		rows := 0
		for r.Next() {
			_ = r.Values()
			rows++
		}
		require.NoError(b, r.Err())
		require.NoError(b, r.Close())
		require.Equal(b, n, rows)
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkSmallQuery measures the per-statement overhead: parsing for
// the read-only check, rewriting and running a one-row query, without a
// table and over a Parquet-backed view.
func BenchmarkSmallQuery(b *testing.B) {
	env := newEnv(b)
	ctx := context.Background()
	s, err := env.e.Open(ctx, "demo", "bench")
	require.NoError(b, err)
	defer s.Close()
	for _, q := range []struct{ name, sql string }{
		{"constant", "SELECT 1"},
		{"view", "SELECT id FROM patient WHERE id = 'p1'"},
	} {
		b.Run("query="+q.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r, err := s.Query(ctx, q.sql)
				require.NoError(b, err)
				for r.Next() {
				}
				require.NoError(b, r.Err())
				r.Close()
			}
		})
	}
}
