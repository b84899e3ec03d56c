package bench

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// requirePostgres skips when the PostgreSQL 15 server is not installed,
// unless CI=true, where that fails the test.
func requirePostgres(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(DefaultPostgresBin, "postgres")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no PostgreSQL 15 server: %s", PostgresInstallHint)
		}
		t.Skipf("no PostgreSQL 15 server (%s)", PostgresInstallHint)
	}
}

func TestStartPostgres(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	pg, err := StartPostgres(ctx, "")
	require.NoError(t, err)
	dir := pg.Dir
	conn, err := pgx.Connect(ctx, pg.ConnString("postgres"))
	require.NoError(t, err)
	var one int
	require.NoError(t, conn.QueryRow(ctx, "SELECT 1").Scan(&one))
	require.Equal(t, 1, one)
	rss, err := BackendPeakRSS(ctx, conn)
	require.NoError(t, err)
	require.Greater(t, rss, 1.0)
	require.NoError(t, conn.Close(ctx))
	require.Contains(t, pg.Settings, "fsync=on")
	require.Regexp(t, `^15\.`, pg.Version)
	require.NoError(t, pg.Stop())
	_, err = os.Stat(dir)
	require.True(t, errors.Is(err, os.ErrNotExist), "data directory removed")
	_, err = pgx.Connect(ctx, pg.ConnString("postgres"))
	require.Error(t, err, "server stopped")
}

func TestStartPostgresMissing(t *testing.T) {
	_, err := StartPostgres(context.Background(), t.TempDir())
	require.ErrorIs(t, err, ErrNoPostgres)
	require.ErrorContains(t, err, "apt-get install -y postgresql")
}
