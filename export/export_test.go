package export

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// TestSystemExport exports the Synthea sample and checks every type's
// count against the store and every line against the stored body.
func TestSystemExport(t *testing.T) {
	st, dir, want := syntheaStore(t)
	e := serve(t, dir, st, Options{PartSize: 500})

	m := e.export("/fhir/main/$export")
	stored, err := st.Counts(context.Background())
	require.NoError(t, err)
	require.Equal(t, want, stored)
	require.Equal(t, stored, counts(m))
	require.Empty(t, m.Error)
	require.Equal(t, e.srv.URL+"/fhir/main/$export", m.Request)
	tx, err := time.Parse(time.RFC3339, m.TransactionTime)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), tx, time.Minute)

	// Split into parts of PartSize, all listed with their counts.
	var procedures []int
	for _, f := range m.Output {
		require.True(t, strings.HasPrefix(f.URL, e.srv.URL+"/fhir/main/$export-file/"), f.URL)
		if f.Type == "Procedure" {
			procedures = append(procedures, f.Count)
		}
	}
	require.Equal(t, []int{500, 500, 500, 500, 56}, procedures)

	for typ, ls := range e.lines(m) {
		seen := map[string]bool{}
		for _, l := range ls {
			require.False(t, seen[l.ID], "%s/%s exported twice", typ, l.ID)
			seen[l.ID] = true
			r, err := st.Read(context.Background(), typ, l.ID)
			require.NoError(t, err)
			require.Equal(t, string(r.Body), string(l.Raw))
		}
	}
}

// TestTypeFilter checks _type, given once or repeated, with spaces.
func TestTypeFilter(t *testing.T) {
	st, dir, want := syntheaStore(t)
	e := serve(t, dir, st, Options{})

	for _, q := range []string{"_type=Patient,Condition", "_type=Patient&_type=%20Condition", "_type=Condition,Patient,Patient"} {
		m := e.export("/fhir/main/$export?_outputFormat=application%2Ffhir%2Bndjson&" + q)
		require.Equal(t, map[string]int{"Patient": want["Patient"], "Condition": want["Condition"]}, counts(m), q)
	}
	// A known type without resources gives no file.
	m := e.export("/fhir/main/$export?_type=Observation&_outputFormat=ndjson")
	require.Empty(t, m.Output)
}

// TestSince writes part of the data later with a controlled clock and
// exports only what changed after _since.
func TestSince(t *testing.T) {
	now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	st, dir := newStore(t, func() time.Time { return now })
	loadSynthea(t, st)
	now = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	put(t, st,
		`{"resourceType":"Patient","id":"late","gender":"female"}`,
		`{"resourceType":"Observation","id":"late-obs","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/late"}}`)
	e := serve(t, dir, st, Options{})

	for _, since := range []string{
		"2020-06-01T00:00:00Z",
		"2020-06-01T02:00:00%2B02:00",
		"2020-06-01T02:00:00+02:00", // unescaped '+' arrives as a space
		"2020-01-01T00:00:00.000Z",  // strictly after
	} {
		m := e.export("/fhir/main/$export?_since=" + since)
		require.Equal(t, map[string]int{"Patient": 1, "Observation": 1}, counts(m), since)
	}
	m := e.export("/fhir/main/$export?_since=2021-01-01T00:00:00Z")
	require.Empty(t, m.Output)
	m = e.export("/fhir/main/$export?_since=2019-12-31T23:59:59.999Z&_type=Patient")
	require.Equal(t, 14, counts(m)["Patient"])
}

// TestPatientExport checks that a patient-level export holds exactly the
// resources in some patient's compartment.
func TestPatientExport(t *testing.T) {
	st, dir, want := syntheaStore(t)
	put(t, st,
		`{"resourceType":"Observation","id":"by-group","status":"final","code":{"text":"x"},"subject":{"reference":"Group/g"}}`,
		`{"resourceType":"Observation","id":"performed","status":"final","code":{"text":"x"},"subject":{"reference":"Group/g"},"performer":[{"reference":"Practitioner/p"},{"reference":"https://other.example/fhir/Patient/p1"}]}`,
		`{"resourceType":"Observation","id":"conditional","status":"final","code":{"text":"x"},"subject":{"reference":"Patient?identifier=x|1"}}`)
	e := serve(t, dir, st, Options{})

	m := e.export("/fhir/main/Patient/$export")
	got := counts(m)
	for _, typ := range []string{"Organization", "Practitioner", "PractitionerRole", "Location", "Device"} {
		require.NotContains(t, got, typ, "%s is not in the patient compartment", typ)
		delete(want, typ)
	}
	want["Observation"] = 1
	require.Equal(t, want, got)
	obs := e.lines(m)["Observation"]
	require.Equal(t, "performed", obs[0].ID)

	// _type narrows; a type outside the compartment is ignored with a
	// warning in the error file.
	m = e.export("/fhir/main/Patient/$export?_type=Encounter,Organization")
	require.Equal(t, map[string]int{"Encounter": want["Encounter"]}, counts(m))
	require.Len(t, m.Error, 1)
	require.Contains(t, string(e.file(m.Error[0].URL)[0].Raw), "Organization")
}

// TestGroupExport exports a Group of two patients: exactly their
// resources, with an inactive member and other patients left out.
func TestGroupExport(t *testing.T) {
	st, dir, _ := syntheaStore(t)
	var patients []string
	require.NoError(t, st.Scan(context.Background(), "Patient", func(r store.Resource) error {
		patients = append(patients, r.ID)
		return nil
	}))
	require.GreaterOrEqual(t, len(patients), 3)
	a, b, c := patients[0], patients[1], patients[2]
	put(t, st,
		fmt.Sprintf(`{"resourceType":"Group","id":"two","type":"person","actual":true,"member":[
			{"entity":{"reference":"Patient/%s"}},
			{"entity":{"reference":"http://elsewhere.example/fhir/Patient/%s/_history/2"}},
			{"entity":{"reference":"Patient/%s"},"inactive":true},
			{"entity":{"reference":"Practitioner/x"}}]}`, a, b, c),
		fmt.Sprintf(`{"resourceType":"Observation","id":"obs-a","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/%s"}}`, a),
		fmt.Sprintf(`{"resourceType":"Observation","id":"obs-c","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/%s"}}`, c))
	e := serve(t, dir, st, Options{})

	// Expected: the members and every resource whose JSON names one of
	// them, computed from the stored bodies independently of the
	// compartment table; Device is not in the R4 Patient compartment
	// (though Synthea's Devices name a patient).
	want := map[string][]string{}
	types, err := st.Types(context.Background())
	require.NoError(t, err)
	for _, typ := range types {
		require.NoError(t, st.Scan(context.Background(), typ, func(r store.Resource) error {
			body := string(r.Body)
			if typ == "Patient" && (r.ID == a || r.ID == b) ||
				typ != "Patient" && typ != "Device" && (strings.Contains(body, `"Patient/`+a+`"`) || strings.Contains(body, `"Patient/`+b+`"`)) {
				want[typ] = append(want[typ], r.ID)
			}
			return nil
		}))
	}
	require.Contains(t, want["Observation"], "obs-a")
	require.Equal(t, []string{"two"}, want["Group"])

	m := e.export("/fhir/main/Group/two/$export")
	got := map[string][]string{}
	for typ, ls := range e.lines(m) {
		for _, l := range ls {
			got[typ] = append(got[typ], l.ID)
		}
		slices.Sort(got[typ])
	}
	for typ := range want {
		slices.Sort(want[typ])
		require.Equal(t, want[typ], got[typ], typ)
	}
	require.Len(t, got, len(want))
	require.NotContains(t, got["Observation"], "obs-c")

	// POST with a patient parameter narrows the group to one member.
	resp, body := e.do(http.MethodPost, "/fhir/main/Group/two/$export",
		strings.NewReader(fmt.Sprintf(`{"resourceType":"Parameters","parameter":[
			{"name":"_type","valueString":"Patient,Observation"},
			{"name":"patient","valueReference":{"reference":"Patient/%s"}},
			{"name":"patient","valueReference":{"reference":"Patient/%s"}}]}`, a, c)),
		"Content-Type", "application/fhir+json", "Prefer", "respond-async")
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	resp, body = e.wait(resp.Header.Get("Content-Location"))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Contains(t, string(body), `"count":1`)
	require.NotContains(t, string(body), `"count":2`)
}

// TestKickoffErrors checks the 4xx answers, all OperationOutcomes.
func TestKickoffErrors(t *testing.T) {
	st, dir := newStore(t, nil)
	put(t, st,
		`{"resourceType":"Patient","id":"p"}`,
		`{"resourceType":"Group","id":"gone","type":"person","actual":true}`)
	_, err := st.Delete(context.Background(), "Group", "gone")
	require.NoError(t, err)
	e := serve(t, dir, st, Options{})

	tests := []struct {
		name, method, path, body, prefer string
		status                           int
		code, diag                       string
	}{
		{"format", "GET", "/fhir/main/$export?_outputFormat=text/csv", "", "", 400, "invalid", "_outputFormat"},
		{"since date only", "GET", "/fhir/main/$export?_since=2020-01-01", "", "", 400, "invalid", "_since"},
		{"since no zone", "GET", "/fhir/main/$export?_since=2020-01-01T00:00:00", "", "", 400, "invalid", "_since"},
		{"since bad month", "GET", "/fhir/main/$export?_since=2020-13-01T00:00:00Z", "", "", 400, "invalid", "_since"},
		{"unknown type", "GET", "/fhir/main/$export?_type=Patient,Nope", "", "", 400, "invalid", "Nope"},
		{"strict typeFilter", "GET", "/fhir/main/$export?_typeFilter=Patient%3Factive%3Dtrue", "", "respond-async, handling=strict", 400, "invalid", "_typeFilter"},
		{"strict system patient", "POST", "/fhir/main/$export", `{"resourceType":"Parameters","parameter":[{"name":"patient","valueReference":{"reference":"Patient/p"}}]}`, "respond-async; handling=strict", 400, "invalid", "patient"},
		{"strict non-compartment type", "GET", "/fhir/main/Patient/$export?_type=Organization", "", "handling=strict", 400, "invalid", "Organization"},
		{"bad body", "POST", "/fhir/main/$export", `{"resourceType":"Patient"}`, "", 400, "invalid", "Parameters"},
		{"bad patient", "POST", "/fhir/main/Patient/$export", `{"resourceType":"Parameters","parameter":[{"name":"patient","valueReference":{"reference":"Group/g"}}]}`, "", 400, "invalid", "patient"},
		{"unknown group", "GET", "/fhir/main/Group/nope/$export", "", "", 404, "not-found", "Group/nope"},
		{"deleted group", "GET", "/fhir/main/Group/gone/$export", "", "", 404, "deleted", "Group/gone"},
		{"invalid group id", "GET", "/fhir/main/Group/a_b/$export", "", "", 404, "not-found", "a_b"},
		{"unknown data store", "GET", "/fhir/other/$export", "", "", 404, "not-found", "other"},
		{"method", "PUT", "/fhir/main/$export", "", "", 405, "not-supported", "PUT"},
		{"status method", "POST", "/fhir/main/$export-status/AAAAAAAAAAAAAAAAAAAAAA", "", "", 405, "not-supported", "POST"},
		{"unknown job", "GET", "/fhir/main/$export-status/AAAAAAAAAAAAAAAAAAAAAA", "", "", 404, "not-found", "AAAAAAAAAAAAAAAAAAAAAA"},
		{"malformed job", "GET", "/fhir/main/$export-status/not-a-job", "", "", 404, "not-found", "not-a-job"},
		{"unknown file", "GET", "/fhir/main/$export-file/AAAAAAAAAAAAAAAAAAAAAA/Patient.000.ndjson", "", "", 404, "not-found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.do(tt.method, tt.path, strings.NewReader(tt.body), "Prefer", tt.prefer)
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			code, diag := outcome(t, resp, body)
			require.Equal(t, tt.code, code)
			require.Contains(t, diag, tt.diag)
		})
	}
	entries, err := os.ReadDir(filepath.Join(dir, "exports"))
	if err == nil {
		require.Empty(t, entries, "a refused kick-off leaves no job behind")
	}

	// Without handling=strict, unsupported parameters are ignored with a
	// warning in the error file.
	m := e.export("/fhir/main/$export?_typeFilter=Patient%3Factive%3Dtrue&_elements=id")
	require.Equal(t, map[string]int{"Patient": 1}, counts(m))
	require.Len(t, m.Error, 1)
	require.Equal(t, "OperationOutcome", m.Error[0].Type)
	warnings := e.file(m.Error[0].URL)
	require.Len(t, warnings, 2)
	require.Contains(t, string(warnings[0].Raw), `"severity":"warning"`)
	require.Contains(t, string(warnings[0].Raw), "_elements")
	require.Contains(t, string(warnings[1].Raw), "_typeFilter")
}
