package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/access"
	"github.com/fhirlake/fhirlake/auth/smart"
	"github.com/fhirlake/fhirlake/store"
)

// bearerCallers authenticates "Bearer NAME" as the caller registered
// under NAME; anything else is refused with 401.
type bearerCallers map[string]Caller

func (b bearerCallers) Authenticate(r *http.Request) (Caller, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	c, known := b[tok]
	if !ok || !known {
		return Caller{}, &AuthError{Status: http.StatusUnauthorized, Message: "unknown token", Challenge: `Bearer realm="test"`}
	}
	return c, nil
}

// rolesOn grants roles per data store.
func rolesOn(grants map[string][]string) func(string) ([]string, error) {
	return func(ds string) ([]string, error) { return grants[ds], nil }
}

// scoped is a SMART caller with the given scopes and patient context.
func scoped(t *testing.T, patient string, scopes ...string) Caller {
	t.Helper()
	p := smart.Principal{Subject: "app", Patient: patient}
	for _, s := range scopes {
		sc, err := smart.ParseScope(s)
		require.NoError(t, err)
		p.Scopes = append(p.Scopes, sc)
	}
	return Caller{Name: "app", Method: "jwt", SMART: &p}
}

// authStore holds two patients with an Observation each, and an
// Organization.
func authStore(t *testing.T) *store.Store {
	s := testStore(t)
	_, err := s.Put(context.Background(), []store.Input{
		{Type: "Patient", ID: "p2", Body: []byte(`{"resourceType":"Patient","id":"p2","name":[{"family":"Other"}]}`)},
		{Type: "Observation", ID: "op1", Body: []byte(`{"resourceType":"Observation","id":"op1","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"text":"x"},"subject":{"reference":"Patient/p1"}}`)},
		{Type: "Observation", ID: "op2", Body: []byte(`{"resourceType":"Observation","id":"op2","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p2"}}`)},
		{Type: "Observation", ID: "vital1", Body: []byte(`{"resourceType":"Observation","id":"vital1","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"text":"x"},"subject":{"reference":"Patient/p1"}}`)},
		{Type: "Organization", ID: "org1", Body: []byte(`{"resourceType":"Organization","id":"org1","name":"Acme"}`)},
	})
	require.NoError(t, err)
	return s
}

// TestAuthorizeInteractions runs each caller against each interaction
// (roles per data store, SMART scopes per type, a patient compartment,
// scope filters) and expects the status.
func TestAuthorizeInteractions(t *testing.T) {
	s := authStore(t)
	other := testStore(t)
	callers := bearerCallers{
		"admin":    {Name: "ann", Method: "token", Roles: rolesOn(map[string][]string{"main": {access.Admin}})},
		"reader":   {Name: "rob", Method: "token", Roles: rolesOn(map[string][]string{"main": {access.Reader}})},
		"writer":   {Name: "wes", Method: "token", Roles: rolesOn(map[string][]string{"main": {access.Writer}})},
		"analyst":  {Name: "al", Method: "password", Roles: rolesOn(map[string][]string{"main": {access.Analyst}})},
		"deid":     {Name: "dee", Method: "password", Roles: rolesOn(map[string][]string{"main": {access.DeidAnalyst}})},
		"auditor":  {Name: "aud", Method: "token", Roles: rolesOn(map[string][]string{"*": {access.Auditor}, "main": {access.Auditor}})},
		"otherds":  {Name: "olga", Method: "token", Roles: rolesOn(map[string][]string{"other": {access.Admin}})},
		"sysread":  scoped(t, "", "system/*.read"),
		"obsonly":  scoped(t, "", "user/Observation.rs"),
		"p1":       scoped(t, "p1", "patient/*.cruds"),
		"p1nopat":  scoped(t, "", "patient/*.rs"),
		"p1labs":   scoped(t, "p1", "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory", "patient/Patient.rs"),
		"p1create": scoped(t, "p1", "patient/Observation.c"),
	}
	h := NewHandler(datastores{"main": s, "other": other}, Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Auth:   callers,
	})
	obs := func(id, patient string) string {
		return `{"resourceType":"Observation","id":"` + id + `","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/` + patient + `"}}`
	}
	tests := []struct {
		who, method, target, body string
		want                      int
	}{
		// Authentication.
		{"", "GET", "/fhir/main/Patient/p1", "", 401},
		{"nobody", "GET", "/fhir/main/Patient/p1", "", 401},
		{"", "GET", "/fhir/main/metadata", "", 200},
		// Roles on the data store.
		{"admin", "GET", "/fhir/main/Patient/p1", "", 200},
		{"reader", "GET", "/fhir/main/Patient/p1", "", 200},
		{"reader", "PUT", "/fhir/main/Patient/p9", `{"resourceType":"Patient","id":"p9"}`, 403},
		{"reader", "DELETE", "/fhir/main/Patient/p2", "", 403},
		{"writer", "PUT", "/fhir/main/Patient/p9", `{"resourceType":"Patient","id":"p9"}`, 201},
		{"analyst", "GET", "/fhir/main/Patient/p1", "", 403},
		{"auditor", "GET", "/fhir/main/Patient/p1", "", 403},
		{"otherds", "GET", "/fhir/main/Patient/p1", "", 403},
		{"otherds", "GET", "/fhir/other/Patient/p1", "", 200},
		{"reader", "GET", "/fhir/main/Patient/p1/_history", "", 200},
		{"reader", "POST", "/fhir/main", `{"resourceType":"Bundle","type":"transaction","entry":[]}`, 403},
		{"writer", "POST", "/fhir/main", `{"resourceType":"Bundle","type":"transaction","entry":[]}`, 200},
		{"analyst", "GET", "/datastores/main/views", "", 404}, // allowed; this handler serves no views
		{"reader", "PUT", "/datastores/main/views/x", `{}`, 403},
		{"reader", "GET", "/admin/grants", "", 403},
		// Bulk export: de-identified only for sql-deid without fhir-export
		// (not 403: allowed, and this handler, which serves no exports,
		// answers as it does to any unknown operation).
		{"reader", "GET", "/fhir/main/$export", "", 405},
		{"deid", "GET", "/fhir/main/$export", "", 403},
		{"deid", "GET", "/fhir/main/Patient/$export?_deid=expert", "", 403},
		{"deid", "GET", "/fhir/main/Patient/$export?_deid=safe-harbor", "", 400},
		{"deid", "GET", "/fhir/main/$export-status/AAAAAAAAAAAAAAAAAAAAAA", "", 404},
		{"analyst", "GET", "/fhir/main/Group/g/$export", "", 403},
		{"analyst", "GET", "/fhir/main/Group/g/$export?_deid=safe-harbor", "", 404},
		{"auditor", "GET", "/fhir/main/$export?_deid=safe-harbor", "", 403},
		{"deid", "GET", "/fhir/main/Patient/p1", "", 403},
		// SMART scopes by type.
		{"sysread", "GET", "/fhir/main/Patient/p1", "", 200},
		{"sysread", "PUT", "/fhir/main/Patient/p1", `{"resourceType":"Patient","id":"p1"}`, 403},
		{"obsonly", "GET", "/fhir/main/Patient/p1", "", 403},
		{"obsonly", "GET", "/fhir/main/Observation/op2", "", 200},
		{"obsonly", "GET", "/datastores/main/views", "", 403},
		{"sysread", "GET", "/fhir/main/_history", "", 403},
		// A patient-level token: its compartment only.
		{"p1", "GET", "/fhir/main/Patient/p1", "", 200},
		{"p1", "GET", "/fhir/main/Patient/p2", "", 404},
		{"p1", "GET", "/fhir/main/Observation/op1", "", 200},
		{"p1", "GET", "/fhir/main/Observation/op2", "", 404},
		{"p1", "GET", "/fhir/main/Observation/op2/_history", "", 404},
		{"p1", "GET", "/fhir/main/Observation/op2/_history/1", "", 404},
		{"p1", "GET", "/fhir/main/Organization/org1", "", 404},
		{"p1", "GET", "/fhir/main/Patient/gone", "", 404},
		{"p1", "GET", "/fhir/main/Observation/_history", "", 403},
		{"p1", "GET", "/fhir/main/Patient/p2/$everything", "", 403},
		{"p1", "GET", "/fhir/main/$export", "", 403},
		{"p1", "PUT", "/fhir/main/Observation/new1", obs("new1", "p1"), 201},
		{"p1", "PUT", "/fhir/main/Observation/new2", obs("new2", "p2"), 403},
		{"p1", "PUT", "/fhir/main/Observation/op2", obs("op2", "p1"), 403},
		{"p1", "DELETE", "/fhir/main/Observation/op2", "", 403},
		{"p1nopat", "GET", "/fhir/main/Patient/p1", "", 403},
		// Filters: laboratory Observations only.
		{"p1labs", "GET", "/fhir/main/Observation/op1", "", 200},
		{"p1labs", "GET", "/fhir/main/Observation/vital1", "", 404},
		{"p1labs", "GET", "/fhir/main/Patient/p1", "", 200},
		// Create only: no read.
		{"p1create", "GET", "/fhir/main/Observation/op1", "", 403},
		{"p1create", "POST", "/fhir/main/Observation", obs("", "p1"), 201},
		{"p1create", "POST", "/fhir/main/Observation", obs("", "p2"), 403},
	}
	for _, tt := range tests {
		t.Run(tt.who+" "+tt.method+" "+tt.target, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.who != "" {
				req.Header.Set("Authorization", "Bearer "+tt.who)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/fhir+json")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tt.want, rec.Code, rec.Body.String())
			if rec.Code == 401 {
				require.NotEmpty(t, rec.Header().Get("WWW-Authenticate"))
			}
			if rec.Code >= 400 && rec.Code != 405 {
				require.Contains(t, rec.Body.String(), `"resourceType":"OperationOutcome"`)
			}
		})
	}
}

// TestAuthorizeBatchEntries: a batch's entries are authorized one by one,
// as the caller of the batch.
func TestAuthorizeBatchEntries(t *testing.T) {
	s := authStore(t)
	h := NewHandler(datastores{"main": s}, Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Auth:   bearerCallers{"p1": scoped(t, "p1", "patient/*.rs")},
	})
	req := httptest.NewRequest("POST", "/fhir/main", strings.NewReader(`{"resourceType":"Bundle","type":"batch","entry":[
		{"request":{"method":"GET","url":"Observation/op1"}},
		{"request":{"method":"GET","url":"Observation/op2"}},
		{"request":{"method":"DELETE","url":"Observation/op1"}}]}`))
	req.Header.Set("Authorization", "Bearer p1")
	req.Header.Set("Content-Type", "application/fhir+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, 200, rec.Code, rec.Body.String())
	body := rec.Body.String()
	for _, status := range []string{`"status":"200 OK"`, `"status":"404 Not Found"`, `"status":"403 Forbidden"`} {
		require.Contains(t, body, status)
	}
}
