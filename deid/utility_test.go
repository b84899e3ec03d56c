package deid

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// summary is the utility the de-identified data must keep: patients by
// sex, by five-year age band at testNow (90 and over together), and
// distinct patients by condition code (which needs the subject
// references to still join).
type summary struct {
	sex       map[string]int
	ageBand   map[string]int
	condition map[string]int
}

type resourceFields struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Gender       string `json:"gender"`
	BirthDate    string `json:"birthDate"`
	Subject      struct {
		Reference string `json:"reference"`
	} `json:"subject"`
	Code struct {
		Coding []struct {
			System string `json:"system"`
			Code   string `json:"code"`
		} `json:"coding"`
	} `json:"code"`
}

func summarize(t *testing.T, bodies [][]byte) summary {
	s := summary{sex: map[string]int{}, ageBand: map[string]int{}, condition: map[string]int{}}
	patients := map[string]bool{}
	seen := map[string]bool{}
	for _, b := range bodies {
		var r resourceFields
		require.NoError(t, json.Unmarshal(b, &r))
		switch r.ResourceType {
		case "Patient":
			patients["Patient/"+r.ID] = true
			s.sex[r.Gender]++
			s.ageBand[ageBand(t, r.BirthDate)]++
		case "Condition":
			require.NotEmpty(t, r.Code.Coding)
			key := r.Code.Coding[0].System + "|" + r.Code.Coding[0].Code + "|" + r.Subject.Reference
			if !seen[key] {
				seen[key] = true
				s.condition[r.Code.Coding[0].System+"|"+r.Code.Coding[0].Code]++
			}
		}
	}
	return s
}

// ageBand returns the five-year band of the age at testNow, from a full
// birth date or a year alone (testNow is 31 December, so both agree).
func ageBand(t *testing.T, birth string) string {
	age, ok := birthAge(birth, testNow)
	require.True(t, ok, birth)
	if len(birth) == 4 {
		y, err := strconv.Atoi(birth)
		require.NoError(t, err)
		age = testNow.Year() - y
	}
	if age >= 90 {
		return "90+"
	}
	return fmt.Sprintf("%02d-%02d", age/5*5, age/5*5+4)
}

// TestProofUtilityKept checks the counts by sex, age band and condition
// code are those of the identified data, in every mode.
func TestProofUtilityKept(t *testing.T) {
	src := corpus(t)
	raw := make([][]byte, len(src))
	for i, r := range src {
		raw[i] = r.body
	}
	want := summarize(t, raw)
	require.Contains(t, want.ageBand, "90+", "the corpus must hold people aged 90 or more")
	require.Greater(t, len(want.condition), 5)
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"mode=remove", Options{}},
		{"mode=redact", Options{RedactText: true}},
		{"mode=shift", Options{ShiftDates: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := summarize(t, deidentifyAll(t, newTest(t, tc.opts), src))
			require.Equal(t, want.sex, got.sex)
			if !tc.opts.ShiftDates { // shifted birth dates move across band edges
				require.Equal(t, want.ageBand, got.ageBand)
			}
			require.Equal(t, want.condition, got.condition)
		})
	}
}
