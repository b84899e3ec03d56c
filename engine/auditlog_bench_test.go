package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// BenchmarkAuditLoad measures the first audit_log statement of a fresh
// engine, which loads the whole log into memory.
func BenchmarkAuditLoad(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			env := newEnv(b)
			ctx := context.Background()
			dir := filepath.Join(env.cat.Dir(), "audit")
			log, err := audit.Open(ctx, dir, audit.Options{SyncInterval: time.Second})
			require.NoError(b, err)
			defer log.Close()
			ev := audit.Event{Kind: audit.KindSQL, Actor: audit.Actor{User: "ana", Method: "password"}, Source: "127.0.0.1:50000",
				Protocol: "pgwire", DataStore: "demo", Action: "query", Query: "SELECT id, gender FROM patient WHERE birth_date > '1970-01-01'",
				Tables: []string{"patient"}, Rows: 42, Outcome: audit.SQLOutcome("", "")}
			for range n {
				_, err := log.Append(ctx, ev)
				require.NoError(b, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				e, err := Open(ctx, env.cat, Options{Threads: 2, Audit: AuditFiles(dir)})
				require.NoError(b, err)
				s, err := e.OpenScoped(ctx, "demo", "aud", Scope{Audit: true})
				require.NoError(b, err)
				b.StartTimer()
				_, rows, _, err := collect(ctx, s, "SELECT count(*) FROM audit_log")
				require.NoError(b, err)
				require.Equal(b, int64(n), rows[0][0])
				b.StopTimer()
				require.NoError(b, s.Close())
				require.NoError(b, e.Close())
				b.StartTimer()
			}
		})
	}
}
