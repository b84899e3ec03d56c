package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/fhir/r4"
	"github.com/fhirlake/fhirlake/store"
	"github.com/stretchr/testify/require"
)

// writeHandler serves a fresh, empty store as data store "w".
func writeHandler(t testing.TB) (http.Handler, *store.Store) {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "w.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return NewHandler(datastores{"w": s}, Options{}), s
}

// call makes one request with a body.
func call(h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// jsonOf decodes a response body.
func jsonOf(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), rec.Body.String())
	return m
}

func TestCreateReadUpdateDelete(t *testing.T) {
	h, _ := writeHandler(t)
	rec := call(h, "POST", "/fhir/w/Patient", `{"resourceType":"Patient","id":"ignored","gender":"female"}`)
	require.Equal(t, 201, rec.Code, rec.Body.String())
	loc := rec.Header().Get("Location")
	require.Regexp(t, `^http://example.com/fhir/w/Patient/[0-9a-f-]{36}/_history/1$`, loc)
	require.Equal(t, `W/"1"`, rec.Header().Get("ETag"))
	created := jsonOf(t, rec)
	id := created["id"].(string)
	require.NotEqual(t, "ignored", id)
	require.Equal(t, "1", created["meta"].(map[string]any)["versionId"])

	rec = call(h, "GET", "/fhir/w/Patient/"+id, "")
	require.Equal(t, 200, rec.Code)
	require.Equal(t, "female", jsonOf(t, rec)["gender"])

	// Update, version-aware.
	body := fmt.Sprintf(`{"resourceType":"Patient","id":"%s","gender":"male"}`, id)
	rec = call(h, "PUT", "/fhir/w/Patient/"+id, body, "If-Match", `W/"2"`)
	require.Equal(t, 412, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), "is at version 1, not 2")
	rec = call(h, "PUT", "/fhir/w/Patient/"+id, body, "If-Match", `W/"1"`)
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.Equal(t, `W/"2"`, rec.Header().Get("ETag"))

	// The same content again writes no new version.
	rec = call(h, "PUT", "/fhir/w/Patient/"+id, body)
	require.Equal(t, 200, rec.Code)
	require.Equal(t, `W/"2"`, rec.Header().Get("ETag"))

	// Conditional reads.
	rec = call(h, "GET", "/fhir/w/Patient/"+id, "", "If-None-Match", `W/"2"`)
	require.Equal(t, 304, rec.Code)
	require.Empty(t, rec.Body.String())
	rec = call(h, "GET", "/fhir/w/Patient/"+id, "", "If-None-Match", `W/"1"`)
	require.Equal(t, 200, rec.Code)
	rec = call(h, "GET", "/fhir/w/Patient/"+id, "", "If-Modified-Since", "not a date")
	require.Equal(t, 200, rec.Code)
	rec = call(h, "GET", "/fhir/w/Patient/"+id, "", "If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")
	require.Equal(t, 304, rec.Code)

	// Patch with JSON Patch.
	req := httptest.NewRequest("PATCH", "/fhir/w/Patient/"+id, strings.NewReader(`[{"op":"add","path":"/birthDate","value":"1970-01-02"}]`))
	req.Header.Set("Content-Type", "application/json-patch+json")
	prec := httptest.NewRecorder()
	h.ServeHTTP(prec, req)
	require.Equal(t, 200, prec.Code, prec.Body.String())
	require.Equal(t, "1970-01-02", jsonOf(t, prec)["birthDate"])
	require.Equal(t, `W/"3"`, prec.Header().Get("ETag"))

	// Delete, then the read is 410 and history shows all four versions.
	rec = call(h, "DELETE", "/fhir/w/Patient/"+id, "")
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.Equal(t, `W/"4"`, rec.Header().Get("ETag"))
	require.Equal(t, 410, call(h, "GET", "/fhir/w/Patient/"+id, "").Code)
	require.Equal(t, 410, call(h, "GET", "/fhir/w/Patient/"+id+"/_history/4", "").Code)
	require.Equal(t, 200, call(h, "GET", "/fhir/w/Patient/"+id+"/_history/1", "").Code)
	rec = call(h, "DELETE", "/fhir/w/Patient/"+id, "")
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Body.String(), "already deleted")
	require.Equal(t, 404, call(h, "DELETE", "/fhir/w/Patient/never", "").Code)

	rec = call(h, "GET", "/fhir/w/Patient/"+id+"/_history", "")
	require.Equal(t, 200, rec.Code)
	hist := jsonOf(t, rec)
	require.Equal(t, "history", hist["type"])
	entries := hist["entry"].([]any)
	require.Len(t, entries, 4)
	first := entries[0].(map[string]any)
	require.Equal(t, "DELETE", first["request"].(map[string]any)["method"])
	require.Nil(t, first["resource"])
	last := entries[3].(map[string]any)
	require.Equal(t, "POST", last["request"].(map[string]any)["method"])

	// Create on update, with a client id.
	rec = call(h, "PUT", "/fhir/w/Patient/client-1", `{"resourceType":"Patient","id":"client-1"}`)
	require.Equal(t, 201, rec.Code, rec.Body.String())
	require.Equal(t, "http://example.com/fhir/w/Patient/client-1/_history/1", rec.Header().Get("Location"))
}

func TestWriteErrors(t *testing.T) {
	h, _ := writeHandler(t)
	require.Equal(t, 201, call(h, "PUT", "/fhir/w/Patient/p", `{"resourceType":"Patient","id":"p"}`).Code)
	tests := []struct {
		name, method, target, body string
		header                     []string
		want                       int
		diag                       string
	}{
		{"not JSON", "POST", "/fhir/w/Patient", `{"resourceType":`, nil, 400, "not valid JSON"},
		{"array", "POST", "/fhir/w/Patient", `[1]`, nil, 400, "not a JSON object"},
		{"two objects", "POST", "/fhir/w/Patient", `{"resourceType":"Patient"}{}`, nil, 400, "text after the object"},
		{"duplicate key", "POST", "/fhir/w/Patient", `{"resourceType":"Patient","gender":"male","gender":"female"}`, nil, 400, "appears twice"},
		{"no resourceType", "POST", "/fhir/w/Patient", `{"id":"x"}`, nil, 400, "no resourceType"},
		{"type mismatch", "POST", "/fhir/w/Patient", `{"resourceType":"Observation"}`, nil, 400, "is a Observation, but the URL names Patient"},
		{"unknown type", "POST", "/fhir/w/Patients", `{"resourceType":"Patients"}`, nil, 404, "not a FHIR R4 resource type"},
		{"XML body", "POST", "/fhir/w/Patient", `<Patient/>`, []string{"Content-Type", "application/fhir+xml"}, 415, "not XML"},
		{"text body", "POST", "/fhir/w/Patient", `x`, []string{"Content-Type", "text/plain"}, 415, "not supported"},
		{"PUT without id", "PUT", "/fhir/w/Patient/p", `{"resourceType":"Patient"}`, nil, 400, "must equal the id in the URL"},
		{"PUT other id", "PUT", "/fhir/w/Patient/p", `{"resourceType":"Patient","id":"q"}`, nil, 400, "must equal the id in the URL"},
		{"PUT bad id", "PUT", "/fhir/w/Patient/p_1", `{"resourceType":"Patient","id":"p_1"}`, nil, 400, "invalid id"},
		{"bad If-Match", "PUT", "/fhir/w/Patient/p", `{"resourceType":"Patient","id":"p"}`, []string{"If-Match", "abc"}, 400, "If-Match"},
		{"stale If-Match", "PUT", "/fhir/w/Patient/p", `{"resourceType":"Patient","id":"p","active":true}`, []string{"If-Match", `W/"9"`}, 412, "not 9"},
		{"If-Match on a missing resource", "DELETE", "/fhir/w/Patient/zz", ``, []string{"If-Match", `W/"1"`}, 412, "does not exist"},
		{"PATCH as JSON", "PATCH", "/fhir/w/Patient/p", `{"resourceType":"Parameters"}`, nil, 415, "FHIRPath Patch"},
		{"PATCH bad patch", "PATCH", "/fhir/w/Patient/p", `{"op":1}`, []string{"Content-Type", "application/json-patch+json"}, 400, "cannot be read"},
		{"PATCH failing op", "PATCH", "/fhir/w/Patient/p", `[{"op":"remove","path":"/nothing"}]`, []string{"Content-Type", "application/json-patch+json"}, 422, "applying the JSON Patch"},
		{"PATCH changing id", "PATCH", "/fhir/w/Patient/p", `[{"op":"replace","path":"/id","value":"q"}]`, []string{"Content-Type", "application/json-patch+json"}, 422, "changes the resource's id"},
		{"PATCH missing", "PATCH", "/fhir/w/Patient/nope", `[]`, []string{"Content-Type", "application/json-patch+json"}, 404, "not known"},
		{"conditional create with search", "POST", "/fhir/w/Patient", `{"resourceType":"Patient"}`, []string{"If-None-Exist", "name=smith"}, 400, "unsupported search criteria"},
		{"conditional update without criteria", "PUT", "/fhir/w/Patient", `{"resourceType":"Patient"}`, nil, 400, "needs search criteria"},
		{"GET on the type", "GET", "/fhir/w/Patient", ``, nil, 405, "not allowed"},
		{"bad _count", "GET", "/fhir/w/_history?_count=x", ``, nil, 400, "_count"},
		{"bad _since", "GET", "/fhir/w/Patient/_history?_since=yesterday", ``, nil, 400, "_since"},
		{"bad vid", "GET", "/fhir/w/Patient/p/_history/zero", ``, nil, 400, "not a positive integer"},
		{"missing version", "GET", "/fhir/w/Patient/p/_history/7", ``, nil, 404, "has no version 7"},
		{"history of nothing", "GET", "/fhir/w/Patient/none/_history", ``, nil, 404, "not known"},
		{"not a Bundle", "POST", "/fhir/w", `{"resourceType":"Patient"}`, nil, 400, "takes a Bundle"},
		{"Bundle of the wrong type", "POST", "/fhir/w", `{"resourceType":"Bundle","type":"collection"}`, nil, 400, "batch or a transaction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(h, tt.method, tt.target, tt.body, tt.header...)
			require.Equal(t, tt.want, rec.Code, rec.Body.String())
			oo := jsonOf(t, rec)
			require.Equal(t, "OperationOutcome", oo["resourceType"])
			require.Contains(t, rec.Body.String(), tt.diag)
		})
	}
}

func TestConditionalInteractions(t *testing.T) {
	h, _ := writeHandler(t)
	pat := `{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"42"}]}`
	rec := call(h, "POST", "/fhir/w/Patient", pat, "If-None-Exist", "identifier=urn:mrn|42")
	require.Equal(t, 201, rec.Code, rec.Body.String())
	id := jsonOf(t, rec)["id"].(string)
	rec = call(h, "POST", "/fhir/w/Patient", pat, "If-None-Exist", "Patient?identifier=urn:mrn|42")
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.Equal(t, id, jsonOf(t, rec)["id"])

	// Conditional update by identifier updates the match.
	rec = call(h, "PUT", "/fhir/w/Patient?identifier=urn:mrn|42", `{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"42"}],"active":true}`)
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.Equal(t, id, jsonOf(t, rec)["id"])
	require.Equal(t, `W/"2"`, rec.Header().Get("ETag"))
	// ... and creates when nothing matches.
	rec = call(h, "PUT", "/fhir/w/Patient?identifier=urn:mrn|43", `{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"43"}]}`)
	require.Equal(t, 201, rec.Code, rec.Body.String())
	other := jsonOf(t, rec)["id"].(string)
	// Two matches are 412.
	rec = call(h, "PUT", "/fhir/w/Patient?identifier=42,43", `{"resourceType":"Patient"}`)
	require.Equal(t, 412, rec.Code, rec.Body.String())
	rec = call(h, "DELETE", "/fhir/w/Patient?identifier=42,43", "")
	require.Equal(t, 412, rec.Code, rec.Body.String())
	// _id criteria and conditional delete.
	rec = call(h, "DELETE", "/fhir/w/Patient?_id="+other, "")
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.Equal(t, 410, call(h, "GET", "/fhir/w/Patient/"+other, "").Code)
	rec = call(h, "DELETE", "/fhir/w/Patient?_id="+other, "")
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Body.String(), "nothing was deleted")
}

// TestConcurrentIfNoneExist races conditional creates of one identifier:
// exactly one creates.
func TestConcurrentIfNoneExist(t *testing.T) {
	h, s := writeHandler(t)
	var wg sync.WaitGroup
	codes := make(chan int, 16)
	for range 16 {
		wg.Go(func() {
			rec := call(h, "POST", "/fhir/w/Patient", `{"resourceType":"Patient","identifier":[{"system":"s","value":"v"}]}`, "If-None-Exist", "identifier=s|v")
			codes <- rec.Code
		})
	}
	wg.Wait()
	close(codes)
	created := 0
	for c := range codes {
		if c == 201 {
			created++
		} else {
			require.Equal(t, 200, c)
		}
	}
	require.Equal(t, 1, created)
	counts, err := s.Counts(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, counts["Patient"])
}

// TestConcurrentUpdatesNeverLoseAWrite races version-aware updates and
// patches of one resource: every accepted write is a distinct version,
// the rest get 412, and patches without If-Match are all applied.
func TestConcurrentUpdatesNeverLoseAWrite(t *testing.T) {
	h, s := writeHandler(t)
	require.Equal(t, 201, call(h, "PUT", "/fhir/w/Observation/o", `{"resourceType":"Observation","id":"o","status":"final","component":[]}`).Code)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range 8 {
		wg.Go(func() {
			body := fmt.Sprintf(`{"resourceType":"Observation","id":"o","status":"amended","note":[{"text":"%d"}]}`, i)
			rec := call(h, "PUT", "/fhir/w/Observation/o", body, "If-Match", `W/"1"`)
			mu.Lock()
			codes[rec.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	require.Equal(t, map[int]int{200: 1, 412: 7}, codes)
	// Patches appending to a list without If-Match: none is lost.
	for i := range 10 {
		wg.Go(func() {
			req := httptest.NewRequest("PATCH", "/fhir/w/Observation/o",
				strings.NewReader(fmt.Sprintf(`[{"op":"add","path":"/note/-","value":{"text":"p%d"}}]`, i)))
			req.Header.Set("Content-Type", "application/json-patch+json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, 200, rec.Code, rec.Body.String())
		})
	}
	wg.Wait()
	r, err := s.Read(context.Background(), "Observation", "o")
	require.NoError(t, err)
	var obs struct{ Note []struct{ Text string } }
	require.NoError(t, json.Unmarshal(r.Body, &obs))
	require.Len(t, obs.Note, 11)
	require.Equal(t, int64(12), r.Version)
}

func TestPrefer(t *testing.T) {
	h, _ := writeHandler(t)
	rec := call(h, "POST", "/fhir/w/Patient", `{"resourceType":"Patient"}`, "Prefer", "return=minimal")
	require.Equal(t, 201, rec.Code)
	require.Empty(t, rec.Body.String())
	require.NotEmpty(t, rec.Header().Get("Location"))
	rec = call(h, "POST", "/fhir/w/Patient", `{"resourceType":"Patient"}`, "Prefer", "return=OperationOutcome")
	require.Equal(t, 201, rec.Code)
	require.Equal(t, "OperationOutcome", jsonOf(t, rec)["resourceType"])
	rec = call(h, "POST", "/fhir/w/Patient?_pretty=true", `{"resourceType":"Patient"}`)
	require.Contains(t, rec.Body.String(), "\n  \"resourceType\": \"Patient\"")
}

func TestHistoryPaging(t *testing.T) {
	h, _ := writeHandler(t)
	for i := range 7 {
		require.Equal(t, 201, call(h, "POST", "/fhir/w/Observation", `{"resourceType":"Observation","status":"final"}`).Code, i)
	}
	require.Equal(t, 201, call(h, "POST", "/fhir/w/Patient", `{"resourceType":"Patient"}`).Code)
	seen := 0
	next := "/fhir/w/Observation/_history?_count=3"
	for pages := 0; next != ""; pages++ {
		require.Less(t, pages, 4)
		rec := call(h, "GET", next, "")
		require.Equal(t, 200, rec.Code, rec.Body.String())
		b := jsonOf(t, rec)
		if e, ok := b["entry"].([]any); ok {
			seen += len(e)
		}
		next = ""
		for _, l := range b["link"].([]any) {
			if l.(map[string]any)["relation"] == "next" {
				next = strings.TrimPrefix(l.(map[string]any)["url"].(string), "http://example.com")
			}
		}
	}
	require.Equal(t, 7, seen)
	rec := call(h, "GET", "/fhir/w/_history", "")
	require.Len(t, jsonOf(t, rec)["entry"], 8)
	rec = call(h, "GET", "/fhir/w/_history?_since=2999-01-01T00:00:00Z", "")
	require.Nil(t, jsonOf(t, rec)["entry"])
}

func TestTransaction(t *testing.T) {
	h, s := writeHandler(t)
	require.Equal(t, 201, call(h, "PUT", "/fhir/w/Organization/org1",
		`{"resourceType":"Organization","id":"org1","identifier":[{"system":"urn:org","value":"A"}]}`).Code)
	require.Equal(t, 201, call(h, "PUT", "/fhir/w/Patient/old", `{"resourceType":"Patient","id":"old"}`).Code)
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a","resource":{"resourceType":"Patient","managingOrganization":{"reference":"Organization?identifier=urn:org|A"},"identifier":[{"system":"urn:mrn","value":"7"}]},"request":{"method":"POST","url":"Patient"}},
	 {"fullUrl":"urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059","resource":{"resourceType":"Observation","status":"final","subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},"performer":[{"reference":"Practitioner?identifier=urn:npi|9"}]},"request":{"method":"POST","url":"Observation"}},
	 {"fullUrl":"urn:uuid:0b8a1f4e-4a7b-4c57-a3a0-c3f0a8d2d9a1","resource":{"resourceType":"Practitioner","identifier":[{"system":"urn:npi","value":"9"}]},"request":{"method":"POST","url":"Practitioner","ifNoneExist":"identifier=urn:npi|9"}},
	 {"request":{"method":"DELETE","url":"Patient/old"}},
	 {"request":{"method":"GET","url":"Organization/org1"}}
	]}`
	rec := call(h, "POST", "/fhir/w", tx)
	require.Equal(t, 200, rec.Code, rec.Body.String())
	var resp bundle
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	require.Equal(t, "transaction-response", resp.Type)
	require.Len(t, resp.Entry, 5)
	require.Equal(t, "201 Created", resp.Entry[0].Response.Status)
	require.Equal(t, "201 Created", resp.Entry[1].Response.Status)
	require.Equal(t, "204 No Content", resp.Entry[3].Response.Status)
	require.Equal(t, "200 OK", resp.Entry[4].Response.Status)
	patLoc := resp.Entry[0].Response.Location
	patID := strings.Split(patLoc, "/")[1]
	pracID := strings.Split(resp.Entry[2].Response.Location, "/")[1]
	var obs struct {
		Subject   struct{ Reference string }
		Performer []struct{ Reference string }
	}
	require.NoError(t, json.Unmarshal(resp.Entry[1].Resource, &obs))
	require.Equal(t, "Patient/"+patID, obs.Subject.Reference)
	require.Equal(t, "Practitioner/"+pracID, obs.Performer[0].Reference)
	r, err := s.Read(context.Background(), "Patient", patID)
	require.NoError(t, err)
	require.Contains(t, string(r.Body), `"reference":"Organization/org1"`)
	_, err = s.Read(context.Background(), "Patient", "old")
	require.ErrorIs(t, err, store.ErrDeleted)

	// The same ifNoneExist now matches: no second Practitioner.
	rec = call(h, "POST", "/fhir/w", `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Practitioner","identifier":[{"system":"urn:npi","value":"9"}]},"request":{"method":"POST","url":"Practitioner","ifNoneExist":"identifier=urn:npi|9"}}]}`)
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), `"status":"200 OK"`)

	// Atomicity: a failing entry leaves nothing behind.
	before, err := s.Seq(context.Background())
	require.NoError(t, err)
	for _, bad := range []struct{ body, diag string }{
		{`{"resourceType":"Bundle","type":"transaction","entry":[
		 {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
		 {"resource":{"resourceType":"Organization","id":"org1"},"request":{"method":"PUT","url":"Organization/org1","ifMatch":"W/\"5\""}}]}`, "not 5"},
		{`{"resourceType":"Bundle","type":"transaction","entry":[
		 {"resource":{"resourceType":"Patient","generalPractitioner":[{"reference":"Practitioner?identifier=none|0"}]},"request":{"method":"POST","url":"Patient"}}]}`, "matches no resource"},
		{`{"resourceType":"Bundle","type":"transaction","entry":[
		 {"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/a"}},
		 {"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/a"}}]}`, "may change a resource once"},
		{`{"resourceType":"Bundle","type":"transaction","entry":[
		 {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Observation"}}]}`, "URL names Observation"},
		{`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"GET","url":"Patient?name=x"}}]}`, "supports read and vread"},
		{`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}`, "needs a method and a url"},
	} {
		rec = call(h, "POST", "/fhir/w", bad.body)
		require.GreaterOrEqual(t, rec.Code, 400, rec.Body.String())
		require.Less(t, rec.Code, 500, rec.Body.String())
		require.Contains(t, rec.Body.String(), bad.diag)
		after, err := s.Seq(context.Background())
		require.NoError(t, err)
		require.Equal(t, before, after, bad.diag)
	}
}

func TestBatch(t *testing.T) {
	h, _ := writeHandler(t)
	rec := call(h, "POST", "/fhir/w", `{"resourceType":"Bundle","type":"batch","entry":[
	 {"resource":{"resourceType":"Patient","id":"b1"},"request":{"method":"PUT","url":"Patient/b1"}},
	 {"resource":{"resourceType":"Patient","id":"b2"},"request":{"method":"PUT","url":"Patient/b1"}},
	 {"request":{"method":"GET","url":"Patient/b1"}},
	 {"request":{"method":"GET","url":"Patient/none"}},
	 {"resource":{"resourceType":"Binary","contentType":"application/json-patch+json","data":"W3sib3AiOiJhZGQiLCJwYXRoIjoiL2FjdGl2ZSIsInZhbHVlIjp0cnVlfV0="},"request":{"method":"PATCH","url":"Patient/b1"}},
	 {"request":{"method":"DELETE","url":"Patient/b1"}},
	 {"request":{"method":"TRACE","url":"Patient/b1"}}
	]}`)
	require.Equal(t, 200, rec.Code, rec.Body.String())
	var resp bundle
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	var statuses []string
	for _, e := range resp.Entry {
		statuses = append(statuses, e.Response.Status)
	}
	require.Equal(t, []string{"201 Created", "400 Bad Request", "200 OK", "404 Not Found", "200 OK", "200 OK", "400 Bad Request"}, statuses)
	require.Contains(t, string(resp.Entry[4].Resource), `"active":true`)
	require.NotEmpty(t, resp.Entry[1].Response.Outcome)
}

// TestSyntheaTransaction posts a Synthea patient Bundle as a transaction
// and checks every reference in it resolves to a stored resource.
func TestSyntheaTransaction(t *testing.T) {
	dir := sharedDir(t, "data/synthea-small/bundles")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	h, s := writeHandler(t)
	var patientBundle string
	for _, f := range files {
		if !strings.Contains(filepath.Base(f), "hospital") && !strings.Contains(filepath.Base(f), "practitioner") {
			patientBundle = f
			break
		}
	}
	// Synthea's patient Bundles name their practitioners and
	// organizations by conditional reference: load those first.
	for _, f := range files {
		if f == patientBundle {
			continue
		}
		if strings.Contains(filepath.Base(f), "hospital") || strings.Contains(filepath.Base(f), "practitioner") {
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			rec := call(h, "POST", "/fhir/w", string(body))
			require.Equal(t, 200, rec.Code, f+": "+truncate(rec.Body.String()))
		}
	}
	body, err := os.ReadFile(patientBundle)
	require.NoError(t, err)
	rec := call(h, "POST", "/fhir/w", string(body))
	require.Equal(t, 200, rec.Code, truncate(rec.Body.String()))
	var resp bundle
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	ctx := context.Background()
	refs := 0
	for i, e := range resp.Entry {
		require.Contains(t, []string{"201 Created", "200 OK"}, e.Response.Status, i)
		parts := strings.Split(e.Response.Location, "/")
		r, err := s.Read(ctx, parts[0], parts[1])
		require.NoError(t, err)
		for _, ref := range references(r.Body) {
			if strings.HasPrefix(ref, "#") {
				continue
			}
			typ, id, ok := strings.Cut(ref, "/")
			require.True(t, ok, "reference %q in %s is not Type/id", ref, e.Response.Location)
			_, err := s.Read(ctx, typ, id)
			require.NoError(t, err, "reference %q in %s", ref, e.Response.Location)
			refs++
		}
	}
	require.Greater(t, refs, 100)
}

// references returns every "reference" string in a JSON document.
func references(body []byte) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && k == "reference" {
					out = append(out, s)
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	var v any
	_ = json.Unmarshal(body, &v)
	walk(v)
	return out
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// sharedDir finds a folder of ../shared: $FHIRLAKE_SHARED or the
// repository's sibling. It skips the test when it is missing, and fails
// under CI=true.
func sharedDir(t *testing.T, rel string) string {
	t.Helper()
	root := os.Getenv("FHIRLAKE_SHARED")
	if root == "" {
		root = filepath.Join("..", "..", "shared")
	}
	dir := filepath.Join(root, rel)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data %s is missing: %v", dir, err)
		}
		t.Skipf("shared data %s is missing", dir)
	}
	return dir
}

// FuzzWrite sends arbitrary bodies to every write interaction: the answer
// is never a 5xx.
func FuzzWrite(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Patient","id":"p"}`,
		`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}}]}`,
		`{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"Patient/p"}}]}`,
		`[{"op":"add","path":"/active","value":true}]`,
		`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","link":[{"other":{"reference":"Patient?identifier=a|b"}}]},"request":{"method":"PUT","url":"Patient?_id=p"}}]}`,
		`{"a":"\u0000"}`, `"`, `{}`, ``,
	} {
		for m := range 5 {
			f.Add(uint8(m), s)
		}
	}
	s, err := store.Open(filepath.Join(f.TempDir(), "fuzz.db"), store.Options{NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	h := NewHandler(datastores{"w": s}, Options{Validate: r4.Validate})
	targets := []struct{ method, target, ct string }{
		{"POST", "/fhir/w/Patient", "application/fhir+json"},
		{"PUT", "/fhir/w/Patient/p", "application/fhir+json"},
		{"PATCH", "/fhir/w/Patient/p", "application/json-patch+json"},
		{"POST", "/fhir/w", "application/fhir+json"},
		{"PUT", "/fhir/w/Patient?identifier=a|b", "application/fhir+json"},
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		tg := targets[int(which)%len(targets)]
		req := httptest.NewRequest(tg.method, tg.target, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", tg.ct)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", tg.method, tg.target, body, rec.Code, rec.Body.String())
		}
	})
}

func TestValidationAndShaping(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "v.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	h := NewHandler(datastores{"w": s}, Options{Validate: r4.Validate})

	rec := call(h, "POST", "/fhir/w/Patient", `{"resourceType":"Patient","birthDate":"1970-13-01","gender":"woman","nickname":"x"}`)
	require.Equal(t, 422, rec.Code, rec.Body.String())
	var oo fhir.OperationOutcome
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &oo))
	var where []string
	for _, iss := range oo.Issue {
		where = append(where, iss.Expression...)
	}
	require.Contains(t, where, "Patient.birthDate")
	require.Contains(t, where, "Patient.gender")
	require.Contains(t, where, "Patient.nickname")

	rec = call(h, "POST", "/fhir/w", `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Observation","code":{"text":"x"}},"request":{"method":"POST","url":"Observation"}}]}`)
	require.Equal(t, 422, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), `"Bundle.entry[1].resource.status"`)
	n, err := s.Seq(context.Background())
	require.NoError(t, err)
	require.Zero(t, n, "nothing of the invalid transaction was written")

	rec = call(h, "PUT", "/fhir/w/Patient/p", `{"resourceType":"Patient","id":"p","active":true,"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},"name":[{"family":"F"}],"communication":[{"language":{"text":"en"}}]}`)
	require.Equal(t, 201, rec.Code, rec.Body.String())
	rec = call(h, "GET", "/fhir/w/Patient/p?_summary=true", "")
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), `"SUBSETTED"`)
	require.Contains(t, rec.Body.String(), `"name"`)
	require.NotContains(t, rec.Body.String(), `"communication"`)
	rec = call(h, "GET", "/fhir/w/Patient/p?_elements=active", "")
	require.Equal(t, 200, rec.Code)
	require.NotContains(t, rec.Body.String(), `"name"`)
	require.Contains(t, rec.Body.String(), `"active":true`)
	rec = call(h, "GET", "/fhir/w/Patient/p?_summary=data", "")
	require.NotContains(t, rec.Body.String(), `"text":{"status"`)
	require.Equal(t, 400, call(h, "GET", "/fhir/w/Patient/p?_summary=count", "").Code)
	require.Equal(t, 400, call(h, "GET", "/fhir/w/Patient/p?_summary=maybe", "").Code)
}
