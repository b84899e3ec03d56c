package synth

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/stretchr/testify/require"
)

func TestOptionsValidation(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"ok default format", Options{Patients: 1, Out: dir}, ""},
		{"zero patients", Options{Patients: 0, Out: dir}, "patients must be > 0"},
		{"negative patients", Options{Patients: -3, Out: dir}, "patients must be > 0"},
		{"no out", Options{Patients: 1}, "output directory is required"},
		{"bad format", Options{Patients: 1, Out: dir, Format: "csv"}, `got "csv"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := Generate(context.Background(), tt.opts)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, 1, st.Patients)
				return
			}
			require.ErrorIs(t, err, ErrInvalidOptions)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, format := range []string{FormatNDJSON, FormatBundle} {
		t.Run(format, func(t *testing.T) {
			a, sa := generate(t, 40, 7, format)
			b, sb := generate(t, 40, 7, format)
			c, _ := generate(t, 40, 8, format)
			require.Equal(t, sa, sb)
			da, db, dc := digest(t, a), digest(t, b), digest(t, c)
			require.Equal(t, da, db, "same seed must give identical bytes")
			require.NotEqual(t, da, dc, "another seed must give other data")
			require.Len(t, da, sa.Files)
		})
	}
}

func TestCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := Generate(ctx, Options{Patients: 1_000_000, Out: t.TempDir()})
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, st.Patients)
}

func TestStatsMatchFiles(t *testing.T) {
	dir, st := generate(t, 60, 3, FormatNDJSON)
	data := loadNDJSON(t, dir)
	require.Equal(t, 60, st.Patients)
	require.Len(t, data["Patient"], 60)
	var size int64
	for typ, rs := range data {
		require.Equal(t, st.Resources[typ], len(rs), typ)
		fi, err := os.Stat(filepath.Join(dir, typ+".ndjson"))
		require.NoError(t, err)
		size += fi.Size()
	}
	require.Equal(t, st.Bytes, size)
	require.Equal(t, st.Files, len(data))
	for _, typ := range []string{"Patient", "Encounter", "Condition", "Observation", "MedicationRequest",
		"Procedure", "Immunization", "AllergyIntolerance", "DocumentReference", "Organization", "Practitioner"} {
		require.NotEmpty(t, data[typ], typ)
	}
}

var (
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
)

// TestShapes checks ids, resource types, date formats and code systems.
func TestShapes(t *testing.T) {
	dir, _ := generate(t, 120, 11, FormatNDJSON)
	data := loadNDJSON(t, dir)
	dateTimeKeys := map[string]bool{"issued": true, "authoredOn": true, "recordedDate": true, "date": true,
		"start": true, "end": true}
	for typ, rs := range data {
		require.True(t, fhir.IsResourceType(typ), typ)
		for _, r := range rs {
			require.Equal(t, typ, r["resourceType"])
			require.True(t, fhir.ValidID(str(r, "id")), "%s id %q", typ, r["id"])
			walk(r, func(k string, v any) {
				s, ok := v.(string)
				switch {
				case k == "birthDate":
					require.Regexp(t, dateRE, s)
				case strings.HasSuffix(k, "DateTime") || dateTimeKeys[k]:
					require.True(t, ok, "%s.%s not a string", typ, k)
					require.Regexp(t, dateTimeRE, s, "%s.%s", typ, k)
				case k == "system" && s != "phone" && s != "email": // ContactPoint.system is a code
					require.True(t, strings.HasPrefix(s, "http") || strings.HasPrefix(s, "urn:oid:"), s)
				}
			})
		}
	}
	for _, c := range data["Condition"] {
		cs := codes(c, "code")
		require.Len(t, cs, 2)
		require.True(t, strings.HasPrefix(cs[0], systemSNOMED+"|"), cs[0])
		require.True(t, strings.HasPrefix(cs[1], systemICD10CM+"|"), cs[1])
		require.Equal(t, systemCondClin, str(c["clinicalStatus"].(map[string]any)["coding"].([]any)[0].(map[string]any), "system"))
	}
	for _, o := range data["Observation"] {
		require.True(t, strings.HasPrefix(codes(o, "code")[0], systemLOINC+"|"))
		require.Equal(t, "final", o["status"])
		if q, ok := o["valueQuantity"].(map[string]any); ok {
			require.Equal(t, systemUCUM, q["system"])
			require.IsType(t, float64(0), q["value"])
		} else {
			require.Equal(t, systemLOINC+"|85354-9", codes(o, "code")[0])
			require.Len(t, o["component"], 2)
		}
	}
	for _, m := range data["MedicationRequest"] {
		require.True(t, strings.HasPrefix(codes(m, "medicationCodeableConcept")[0], systemRxNorm+"|"))
		require.NotEmpty(t, m["reasonReference"])
	}
	for _, im := range data["Immunization"] {
		require.True(t, strings.HasPrefix(codes(im, "vaccineCode")[0], systemCVX+"|"))
	}
	for _, e := range data["Encounter"] {
		class := e["class"].(map[string]any)
		require.Equal(t, systemActCode, class["system"])
		require.Contains(t, []string{"AMB", "EMER", "IMP"}, class["code"])
		require.LessOrEqual(t, str(e, "period", "start"), str(e, "period", "end"))
	}
}

// TestEventsWithinEncounters checks that observations, procedures and
// immunizations happen during the encounter they reference.
func TestEventsWithinEncounters(t *testing.T) {
	dir, _ := generate(t, 80, 13, FormatNDJSON)
	data := loadNDJSON(t, dir)
	periods := map[string][2]string{}
	for _, e := range data["Encounter"] {
		periods["Encounter/"+str(e, "id")] = [2]string{str(e, "period", "start"), str(e, "period", "end")}
	}
	check := func(typ, enc, start, end string) {
		p, ok := periods[enc]
		require.True(t, ok, "%s: unknown encounter %s", typ, enc)
		require.True(t, p[0] <= start && start <= end && end <= p[1], "%s [%s, %s] outside %s %v", typ, start, end, enc, p)
	}
	for _, o := range data["Observation"] {
		check("Observation", str(o, "encounter", "reference"), str(o, "effectiveDateTime"), str(o, "effectiveDateTime"))
	}
	for _, p := range data["Procedure"] {
		check("Procedure", str(p, "encounter", "reference"), str(p, "performedPeriod", "start"), str(p, "performedPeriod", "end"))
	}
	for _, im := range data["Immunization"] {
		check("Immunization", str(im, "encounter", "reference"), str(im, "occurrenceDateTime"), str(im, "occurrenceDateTime"))
	}
}

// TestReferentialIntegrity checks that every reference in NDJSON output
// resolves to a resource of the output.
func TestReferentialIntegrity(t *testing.T) {
	dir, _ := generate(t, 150, 5, FormatNDJSON)
	data := loadNDJSON(t, dir)
	ids := map[string]bool{}
	for typ, rs := range data {
		for _, r := range rs {
			key := typ + "/" + str(r, "id")
			require.False(t, ids[key], "duplicate %s", key)
			ids[key] = true
		}
	}
	n := 0
	for typ, rs := range data {
		for _, r := range rs {
			walk(r, func(k string, v any) {
				if k == "reference" {
					n++
					require.True(t, ids[v.(string)], "%s/%s: dangling reference %v", typ, r["id"], v)
				}
			})
		}
	}
	require.Greater(t, n, 1000)
}

// TestBundles checks the transaction bundle format: fullUrl, request,
// urn:uuid references within a patient bundle and shared references.
func TestBundles(t *testing.T) {
	dir, st := generate(t, 25, 9, FormatBundle)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 26)
	require.Equal(t, 26, st.Files)

	shared := map[string]bool{}
	bundles := map[string][]any{}
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		var bundle resource
		require.NoError(t, json.Unmarshal(b, &bundle))
		require.Equal(t, "Bundle", bundle["resourceType"])
		require.Equal(t, "transaction", bundle["type"])
		require.True(t, fhir.ValidID(str(bundle, "id")))
		entries := bundle["entry"].([]any)
		require.NotEmpty(t, entries)
		base := strings.TrimSuffix(filepath.Base(name), ".json")
		for _, e := range entries {
			entry := e.(map[string]any)
			res := entry["resource"].(map[string]any)
			id, typ := str(res, "id"), str(res, "resourceType")
			require.Equal(t, "urn:uuid:"+id, entry["fullUrl"])
			require.Equal(t, map[string]any{"method": "PUT", "url": typ + "/" + id}, entry["request"])
			if base == "shared" {
				require.Contains(t, []string{"Organization", "Practitioner"}, typ)
				shared[typ+"/"+id] = true
			}
		}
		if base != "shared" {
			first := entries[0].(map[string]any)["resource"].(map[string]any)
			require.Equal(t, "Patient", first["resourceType"])
			require.Equal(t, base, first["id"], "file is named after the patient")
			bundles[base] = entries
		}
	}
	require.Len(t, bundles, 25)
	for name, entries := range bundles {
		local := map[string]bool{}
		for _, e := range entries {
			local[e.(map[string]any)["fullUrl"].(string)] = true
		}
		walk(entries, func(k string, v any) {
			if k != "reference" {
				return
			}
			ref := v.(string)
			if strings.HasPrefix(ref, "urn:uuid:") {
				require.True(t, local[ref], "%s: dangling %s", name, ref)
			} else {
				require.True(t, shared[ref], "%s: %s is neither in the bundle nor shared", name, ref)
			}
		})
	}
}

func TestCancelledMidway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	done := make(chan struct{})
	var st Stats
	var err error
	go func() {
		st, err = Generate(ctx, Options{Patients: 10_000_000, Out: dir})
		close(done)
	}()
	for {
		if fi, _ := os.Stat(filepath.Join(dir, "Patient.ndjson")); fi != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
	require.Less(t, st.Patients, 10_000_000)
}
