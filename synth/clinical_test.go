package synth

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cohort is one generated NDJSON data set shared by the clinical tests.
type cohort struct {
	data map[string][]resource
	// conds maps "Patient/<id>" to its Conditions.
	conds map[string][]resource
	// patients maps "Patient/<id>" to the Patient.
	patients map[string]resource
}

var (
	cohortOnce sync.Once
	cohortData cohort
)

// loadCohort generates 2,000 patients once per test binary.
func loadCohort(t *testing.T) *cohort {
	t.Helper()
	cohortOnce.Do(func() {
		dir, _ := generate(t, 2000, 42, FormatNDJSON)
		// Only the labs the tests look at: all observations would take
		// hundreds of MB as maps.
		labs := func(typ string, line []byte) bool {
			return typ != "Observation" || bytes.Contains(line, []byte(`"4548-4"`)) || bytes.Contains(line, []byte(`"33914-3"`))
		}
		c := cohort{data: loadNDJSONFiltered(t, dir, labs), conds: map[string][]resource{}, patients: map[string]resource{}}
		for _, p := range c.data["Patient"] {
			c.patients["Patient/"+str(p, "id")] = p
		}
		for _, cond := range c.data["Condition"] {
			s := str(cond, "subject", "reference")
			c.conds[s] = append(c.conds[s], cond)
		}
		cohortData = c
	})
	require.NotEmpty(t, cohortData.data, "cohort generation failed earlier")
	return &cohortData
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	layout := time.RFC3339
	if len(s) == 10 {
		layout = time.DateOnly
	}
	v, err := time.Parse(layout, s)
	require.NoError(t, err)
	return v
}

// conditionName returns the note name of a Condition via its SNOMED code,
// and whether it is an acute condition.
func conditionName(c resource) (name string, acute bool) {
	code := strings.TrimPrefix(codes(c, "code")[0], systemSNOMED+"|")
	for i, list := range [][]conditionDef{chronicConditions, acuteConditions} {
		for _, d := range list {
			if d.snomed == code {
				return d.name, i == 1
			}
		}
	}
	return "", false
}

func TestDemographics(t *testing.T) {
	c := loadCohort(t)
	n := float64(len(c.data["Patient"]))
	var deceased, children, seniors, male, female int
	for _, p := range c.data["Patient"] {
		birth := parseTime(t, str(p, "birthDate"))
		if d := str(p, "deceasedDateTime"); d != "" {
			deceased++
			end := parseTime(t, d)
			require.True(t, end.After(birth) && end.Before(ReferenceDate), "death %v birth %v", end, birth)
		}
		age := yearsBetween(birth, ReferenceDate)
		require.True(t, age >= 0 && age <= 101.1, "age %v", age)
		if age < 18 {
			children++
		}
		if age >= 65 {
			seniors++
		}
		switch p["gender"] {
		case "male":
			male++
		case "female":
			female++
		}
	}
	share := func(k int) float64 { return float64(k) / n }
	require.InDelta(t, 0.10, share(deceased), 0.04, "deceased share")
	require.InDelta(t, 0.22, share(children), 0.06, "children share")
	require.InDelta(t, 0.18, share(seniors), 0.06, "65+ share")
	require.InDelta(t, 0.49, share(male), 0.05)
	require.InDelta(t, 0.49, share(female), 0.05)
	require.Greater(t, male+female, int(0.97*n))
}

// TestNoEventsAfterDeath checks encounters fall between birth and death
// (or the reference date).
func TestNoEventsAfterDeath(t *testing.T) {
	c := loadCohort(t)
	for _, e := range c.data["Encounter"] {
		p := c.patients[str(e, "subject", "reference")]
		end := ReferenceDate
		if d := str(p, "deceasedDateTime"); d != "" {
			end = parseTime(t, d)
		}
		start, stop := parseTime(t, str(e, "period", "start")), parseTime(t, str(e, "period", "end"))
		require.True(t, start.After(parseTime(t, str(p, "birthDate"))), "encounter before birth")
		require.True(t, stop.Before(end), "encounter %s ends %v after %v", e["id"], stop, end)
	}
}

// TestPrevalenceByAge checks hypertension is rare in children and common
// after 60, and asthma occurs in children.
func TestPrevalenceByAge(t *testing.T) {
	c := loadCohort(t)
	var kids, kidsHTN, kidsAsthma, old, oldHTN int
	for ref, p := range c.patients {
		age := yearsBetween(parseTime(t, str(p, "birthDate")), ReferenceDate)
		has := map[string]bool{}
		for _, cond := range c.conds[ref] {
			name, _ := conditionName(cond)
			has[name] = true
		}
		switch {
		case age < 18:
			kids++
			kidsHTN += b2i(has["hypertension"])
			kidsAsthma += b2i(has["asthma"])
		case age >= 60:
			old++
			oldHTN += b2i(has["hypertension"])
		}
	}
	require.Less(t, float64(kidsHTN)/float64(kids), 0.03)
	require.Greater(t, float64(kidsAsthma)/float64(kids), 0.03)
	require.Greater(t, float64(oldHTN)/float64(old), 0.4)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestLabsMatchConditions checks diabetics have HbA1c >= 6.5 after
// diagnosis and others < 6.5, and eGFR < 60 exactly when CKD is active.
func TestLabsMatchConditions(t *testing.T) {
	c := loadCohort(t)
	onset := func(subject, name string) (time.Time, bool) {
		for _, cond := range c.conds[subject] {
			if n, _ := conditionName(cond); n == name {
				return parseTime(t, str(cond, "onsetDateTime")), true
			}
		}
		return time.Time{}, false
	}
	var a1c, egfr int
	for _, o := range c.data["Observation"] {
		code := codes(o, "code")[0]
		subject := str(o, "subject", "reference")
		at := parseTime(t, str(o, "effectiveDateTime"))
		q, _ := o["valueQuantity"].(map[string]any)
		switch code {
		case systemLOINC + "|4548-4":
			a1c++
			on, ok := onset(subject, "type 2 diabetes")
			require.Equal(t, ok && !on.After(at), q["value"].(float64) >= 6.5, "HbA1c %v diabetic=%v", q["value"], ok)
		case systemLOINC + "|33914-3":
			egfr++
			on, ok := onset(subject, "chronic kidney disease")
			require.Equal(t, ok && !on.After(at), q["value"].(float64) < 60, "eGFR %v ckd=%v", q["value"], ok)
		}
	}
	require.Greater(t, a1c, 100)
	require.Greater(t, egfr, 100)
}

var negationRE = regexp.MustCompile(`(No history of|Negative for|Denies history of) ([^.]+)\.`)

// TestNotes checks clinical notes mention the patient's real conditions
// and negate only conditions the patient never has.
func TestNotes(t *testing.T) {
	c := loadCohort(t)
	var negations, mentions int
	for _, d := range c.data["DocumentReference"] {
		require.Equal(t, "current", d["status"])
		att := d["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any)
		require.Equal(t, "text/plain", att["contentType"])
		raw, err := base64.StdEncoding.DecodeString(att["data"].(string))
		require.NoError(t, err)
		text := string(raw)
		subject := str(d, "subject", "reference")
		encounter := d["context"].(map[string]any)["encounter"].([]any)[0].(map[string]any)["reference"].(string)
		visitStart := parseTime(t, str(d, "context", "period", "start"))

		has := map[string]bool{}
		for _, cond := range c.conds[subject] {
			name, acute := conditionName(cond)
			has[name] = true
			onset := parseTime(t, str(cond, "onsetDateTime"))
			if (!acute && !onset.After(visitStart)) || str(cond, "encounter", "reference") == encounter {
				require.Contains(t, text, name, "note %s must mention %s", d["id"], name)
				mentions++
			}
		}
		for _, m := range negationRE.FindAllStringSubmatch(text, -1) {
			negations++
			require.False(t, has[m[2]], "note %s negates %q which the patient has:\n%s", d["id"], m[2], text)
		}
	}
	require.Greater(t, negations, 500)
	require.Greater(t, mentions, 500)
}
