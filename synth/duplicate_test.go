package synth

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDuplicates checks that duplicates are written, listed in Stats and
// DuplicatesFile, deterministic, free of any trace of their original's id,
// and that they leave every other resource as it is without duplicates.
func TestDuplicates(t *testing.T) {
	const patients = 200
	for _, format := range []string{FormatNDJSON, FormatBundle} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{Patients: patients, Seed: 7, Format: format, Out: dir, Duplicates: 0.2}
			st, err := Generate(context.Background(), opts)
			require.NoError(t, err)
			require.Equal(t, patients, st.Patients)
			require.InDelta(t, 40, len(st.Duplicates), 15, "about 20%% of the patients get a duplicate")
			require.Equal(t, patients+len(st.Duplicates), st.Resources["Patient"])

			tsv, err := os.ReadFile(filepath.Join(dir, DuplicatesFile))
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(tsv)), "\n")
			require.Equal(t, "original_id\tduplicate_id", lines[0])
			require.Len(t, lines, len(st.Duplicates)+1)
			for i, p := range st.Duplicates {
				require.Equal(t, p.Original+"\t"+p.Duplicate, lines[i+1])
			}

			again := t.TempDir()
			opts.Out = again
			st2, err := Generate(context.Background(), opts)
			require.NoError(t, err)
			require.Equal(t, st.Duplicates, st2.Duplicates)
			require.Equal(t, digest(t, dir), digest(t, again), "same seed, same bytes")
		})
	}
}

// TestDuplicatesLeaveOthersAlone checks that turning duplicates on adds
// only Patient records and changes no other line.
func TestDuplicatesLeaveOthersAlone(t *testing.T) {
	plain, _ := generate(t, 50, 3, FormatNDJSON)
	dir := t.TempDir()
	st, err := Generate(context.Background(), Options{Patients: 50, Seed: 3, Out: dir, Duplicates: 0.5})
	require.NoError(t, err)
	require.NotEmpty(t, st.Duplicates)
	before, after := digest(t, plain), digest(t, dir)
	for name, sum := range before {
		if name != "Patient.ndjson" {
			require.Equal(t, sum, after[name], name)
		}
	}
	got := loadNDJSON(t, dir)["Patient"]
	byID := map[string]resource{}
	for _, p := range got {
		byID[p["id"].(string)] = p
	}
	for _, pair := range st.Duplicates {
		orig, dup := byID[pair.Original], byID[pair.Duplicate]
		require.NotNil(t, orig)
		require.NotNil(t, dup)
		line, err := json.Marshal(dup)
		require.NoError(t, err)
		require.NotContains(t, string(line), pair.Original, "a duplicate must not name its original")
		require.Equal(t, "http://fhirlake.example/hospital-b/mrn",
			dup["identifier"].([]any)[0].(map[string]any)["system"])
	}
}

func TestTypo(t *testing.T) {
	r := newRNG(1, 1)
	for range 200 {
		got := typo(r, "Johnson")
		require.NotEqual(t, "", got)
		require.Equal(t, byte('J'), got[0], "the first letter is kept")
		require.InDelta(t, len("Johnson"), len(got), 1)
	}
	require.Equal(t, "Li", typo(r, "Li"), "names under three letters are left alone")
}

func TestDuplicateBirthDate(t *testing.T) {
	r := newRNG(1, 2)
	seen := map[string]int{}
	for range 2000 {
		seen[duplicateBirthDate(r, "1980-03-07")]++
	}
	require.Greater(t, seen["1980-03-07"], 1700)
	require.Positive(t, seen["1980-03-08"]+seen["1980-03-06"], "one day off")
	require.Positive(t, seen["1980-07-03"], "day and month swapped")
	require.Len(t, seen, 4)
	require.Equal(t, "1980-03-03", duplicateBirthDateOnly(t, "1980-03-03"), "day = month has no swap")
}

// duplicateBirthDateOnly returns the dates drawn for date other than one
// day off, which must all be date itself.
func duplicateBirthDateOnly(t *testing.T, date string) string {
	r := newRNG(1, 3)
	for range 1000 {
		got := duplicateBirthDate(r, date)
		if got != "1980-03-02" && got != "1980-03-04" {
			require.Equal(t, date, got)
		}
	}
	return date
}

func TestSpellSuffix(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"12 Oak St", "12 Oak Street"},
		{"9 Pine Blvd", "9 Pine Boulevard"},
		{"9 Pine Way", "9 Pine Way"},
		{"Nowhere", "Nowhere"},
	} {
		require.Equal(t, c.want, spellSuffix(c.in), c.in)
	}
}
