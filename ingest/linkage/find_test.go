package linkage

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFind(t *testing.T) {
	william := base
	billy := Patient{ID: "dup", Family: "Jonhson", Given: []string{"Bill"}, BirthDate: "1980-07-03",
		Gender: "male", Line: "400 Maple Ave", City: "Boston", PostalCode: "02108",
		Identifiers: []Identifier{{"http://b/mrn", "B77"}}}
	twin := base
	twin.ID, twin.Given = "twin", []string{"Robert"}
	twin.Identifiers = []Identifier{{"http://hl7.org/fhir/sid/us-ssn", "999-12-3457"}}
	namesake := Patient{ID: "namesake", Family: "Johnson", Given: []string{"William"}, BirthDate: "1980-11-23",
		Gender: "male", City: "Denver", PostalCode: "80202"}
	ssnOnly := Patient{ID: "ssn", Identifiers: []Identifier{{"http://hl7.org/fhir/sid/us-ssn", "999-12-3456"}},
		Family: "Johnston", Given: []string{"Will"}, BirthDate: "1980-03-07"}

	for _, c := range []struct {
		name     string
		patients []Patient
		cfg      func(*Config)
		want     []string // "A B decision"
	}{
		{"nickname, typo, swapped date, moved", []Patient{william, billy}, nil, []string{"a dup link"}},
		{"twins are at most possible", []Patient{william, twin}, nil, []string{"a twin possible"}},
		{"same name, other date and city", []Patient{william, namesake}, nil, nil},
		{"shared identifier only found by its block", []Patient{william, ssnOnly}, nil, []string{"a ssn link"}},
		{"higher upper threshold", []Patient{william, billy}, func(c *Config) { c.Upper = 60 }, []string{"a dup possible"}},
		{"lower threshold drops", []Patient{william, billy}, func(c *Config) { c.Upper, c.Lower = 80, 70 }, nil},
		{"tiny blocks skipped", []Patient{william, billy}, func(c *Config) { c.MaxBlock = 1 }, nil},
		{"all together", []Patient{billy, namesake, twin, william, ssnOnly}, nil,
			[]string{"a dup link", "a ssn link", "a twin possible", "dup twin possible"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			matches, err := Find(context.Background(), c.patients, cfg)
			require.NoError(t, err)
			var got []string
			for _, m := range matches {
				got = append(got, fmt.Sprintf("%s %s %s", m.A, m.B, m.Decision))
				sum := 0.0
				for _, cmp := range m.Comparisons {
					sum += cmp.Weight
				}
				require.InDelta(t, m.Score, sum, 1e-9, "the score is the sum of the weights")
			}
			require.Equal(t, c.want, got)
		})
	}
}

func TestFindErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		patients []Patient
		cfg      Config
		want     string
	}{
		{"thresholds", nil, Config{Upper: 1, Lower: 2}, "lower threshold 2 is above upper threshold 1"},
		{"max block", nil, Config{MaxBlock: -1}, "max block -1 is negative"},
		{"model", nil, Config{Model: map[Outcome]Prob{BirthExact: {M: 1, U: 0.5}}}, "birth:exact"},
		{"duplicate id", []Patient{{ID: "x"}, {ID: "x"}}, DefaultConfig(), `patient id "x" appears twice`},
	} {
		_, err := Find(ctx, c.patients, c.cfg)
		require.ErrorContains(t, err, c.want, c.name)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := Find(cancelled, []Patient{base, {ID: "b", Family: "Johnson", BirthDate: "1980-03-07"}}, DefaultConfig())
	require.ErrorIs(t, err, context.Canceled)
}
