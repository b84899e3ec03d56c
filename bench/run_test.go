package bench

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/fhirlake/fhirlake/synth"
	"github.com/stretchr/testify/require"
)

func TestConfigDefaults(t *testing.T) {
	ok := Config{Patients: []int{10}, Fhirlake: []string{"fhirlake"}, Reps: 1, Out: "x"}
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"valid", func(*Config) {}, ""},
		{"no sizes", func(c *Config) { c.Patients = nil }, "no data size"},
		{"zero patients", func(c *Config) { c.Patients = []int{0} }, "patients must be > 0"},
		{"unknown suite", func(c *Config) { c.Suites = []string{"ingest", "nope"} }, `unknown suite "nope"`},
		{"no binary", func(c *Config) { c.Fhirlake = nil }, "Config.Fhirlake"},
		{"no reps", func(c *Config) { c.Reps = 0 }, "repetitions > 0"},
		{"no out", func(c *Config) { c.Out = "" }, "no output folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := c.defaults()
			if tc.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, []string{"ingest", "flatten", "analytics", "fhir", "fhirwrite", "search", "wire"}, c.Suites)
				require.Equal(t, 10_000_000, c.WireRows)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// A baseline that cannot start fails the run before anything is measured.
func TestRunFailsWithoutPostgres(t *testing.T) {
	out := t.TempDir()
	_, err := Run(context.Background(), Config{Patients: []int{5}, Fhirlake: []string{"fhirlake"}, Reps: 1, Out: out, PostgresBin: t.TempDir()})
	require.ErrorIs(t, err, ErrNoPostgres)
	require.NoFileExists(t, filepath.Join(out, "RESULTS.md"))
}

// Answers that differ between systems fail the analytics suite.
func TestAnalyticsDisagreement(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	pg, err := StartPostgres(ctx, "")
	require.NoError(t, err)
	defer pg.Stop()
	work := t.TempDir()
	env := &Env{Patients: 10, NDJSON: filepath.Join(work, "ndjson"), Work: work, Postgres: pg, Reps: 1, Fhirlake: []string{buildFhirlake(t)}}
	env.Data, err = synth.Generate(ctx, synth.Options{Patients: 10, Seed: 1, Out: env.NDJSON})
	require.NoError(t, err)
	s := analyticsSuite{queries: []Query{
		{Name: "same", SQL: "select gender, count(*)::bigint from patient group by 1", PGSQL: "select doc->>'gender', count(*)::bigint from fhir_patient group by 1"},
		{Name: "off_by_one", SQL: "select count(*)::bigint from patient", PGSQL: "select count(*)::bigint + 1 from fhir_patient"},
	}}
	_, err = s.Run(ctx, env)
	require.ErrorContains(t, err, "query off_by_one: fhirlake and postgres disagree: 1 rows; sorted row 1 differs: 10 vs 11")
}
