package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"
)

// fakeViews is an in-memory ViewStore. A view named "explode" fails.
type fakeViews struct {
	mu    sync.Mutex
	views map[string]ViewInfo // by "ds/name"
}

func (f *fakeViews) Views(_ context.Context, ds string) ([]ViewInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ViewInfo
	for k, v := range f.views {
		if strings.HasPrefix(k, ds+"/") {
			v.Definition = nil
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fakeViews) View(_ context.Context, ds, name string) (ViewInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.views[ds+"/"+name]
	if !ok {
		return ViewInfo{}, fmt.Errorf("fake: %w", ErrViewNotFound)
	}
	return v, nil
}

func (f *fakeViews) PutView(_ context.Context, ds, name string, def []byte) (bool, error) {
	if name == "explode" {
		return false, errors.New("fake: disk full")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var head struct{ Resource string }
	if err := json.Unmarshal(def, &head); err != nil {
		return false, err
	}
	_, existed := f.views[ds+"/"+name]
	f.views[ds+"/"+name] = ViewInfo{Name: name, Resource: head.Resource, Rows: 7, Definition: bytes.Clone(def),
		Updated: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	return !existed, nil
}

func (f *fakeViews) DeleteView(_ context.Context, ds, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.views[ds+"/"+name]; !ok {
		return fmt.Errorf("fake: %w", ErrViewNotFound)
	}
	delete(f.views, ds+"/"+name)
	return nil
}

const (
	patientView = `{"resourceType":"ViewDefinition","name":"pt","resource":"Patient","select":[{"column":[{"name":"id","path":"getResourceKey()"},{"name":"family","path":"name.family.first()"},{"name":"given","path":"name.given","collection":true}]}]}`
	unnamedView = `{"resource":"Observation","select":[{"column":[{"name":"id","path":"id"},{"name":"value","path":"value.ofType(Quantity).value","type":"decimal"}]}]}`
	badColumn   = `{"name":"pt","resource":"Patient","select":[{"column":[{"name":"id","path":"getResourceKey()"},{"name":"oops","path":"name.nosuchfn()"}]}]}`
)

func newViewHandler(t *testing.T) (http.Handler, *fakeViews) {
	t.Helper()
	fv := &fakeViews{views: map[string]ViewInfo{}}
	return NewHandler(datastores{"main": testStore(t)}, Options{
		Logger: slog.New(slog.DiscardHandler), Views: fv, Now: func() time.Time { return published },
	}), fv
}

func send(h http.Handler, method, target, body string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestViews runs the view endpoints in sequence against one fake store.
func TestViews(t *testing.T) {
	h, _ := newViewHandler(t)
	steps := []struct {
		name       string
		method     string
		target     string
		body       string
		wantStatus int
		wantBody   string // exact body, or
		wantDiag   string // a substring of the OperationOutcome's diagnostics
		wantExpr   string // its issue expression: the JSON pointer of an invalid view's fault
		wantHeader map[string]string
	}{
		{name: "empty list", method: "GET", target: "/datastores/main/views", wantStatus: 200, wantBody: `[]`},
		{name: "create", method: "PUT", target: "/datastores/main/views/pt", body: patientView, wantStatus: 201, wantBody: patientView,
			wantHeader: map[string]string{"Location": "/datastores/main/views/pt", "Content-Type": "application/json"}},
		{name: "replace", method: "PUT", target: "/datastores/main/views/pt", body: patientView, wantStatus: 200},
		{name: "name is filled in", method: "PUT", target: "/datastores/main/views/obs", body: " " + unnamedView, wantStatus: 201,
			wantBody: `{"name":"obs",` + unnamedView[1:]},
		{name: "show", method: "GET", target: "/datastores/main/views/obs", wantStatus: 200, wantBody: `{"name":"obs",` + unnamedView[1:]},
		{name: "list", method: "GET", target: "/datastores/main/views", wantStatus: 200,
			wantBody: `[{"name":"obs","resource":"Observation","rows":7,"default":false,"updated":"2026-11-28T12:00:00Z"},{"name":"pt","resource":"Patient","rows":7,"default":false,"updated":"2026-11-28T12:00:00Z"}]`},
		{name: "name mismatch", method: "PUT", target: "/datastores/main/views/other", body: patientView, wantStatus: 400, wantDiag: `named "pt" but the URL names view "other"`},
		{name: "bad column", method: "PUT", target: "/datastores/main/views/pt", body: badColumn, wantStatus: 400,
			wantDiag: `invalid ViewDefinition: /select/0/column/1/path: column "oops": fhirpath: unknown function nosuchfn()`, wantExpr: "/select/0/column/1/path"},
		{name: "not JSON", method: "PUT", target: "/datastores/main/views/pt", body: `{"resource":`, wantStatus: 400,
			wantDiag: "invalid ViewDefinition: /resource: invalid JSON at line 1, column 13", wantExpr: "/resource"},
		{name: "wrong JSON type", method: "PUT", target: "/datastores/main/views/pt", body: `{"resource":"Patient","select":[{"forEach":1}]}`, wantStatus: 400,
			wantDiag: "expected a string, found a JSON number", wantExpr: "/select/0/forEach"},
		{name: "duplicate column", method: "PUT", target: "/datastores/main/views/pt", wantStatus: 400,
			body:     `{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"}]},{"unionAll":[{"column":[{"name":"id","path":"id"}]}]}]}`,
			wantDiag: `column "id": duplicate column name`, wantExpr: "/select/1/unionAll/0/column/0/name"},
		{name: "no resource", method: "PUT", target: "/datastores/main/views/pt", body: `{"select":[]}`, wantStatus: 400, wantDiag: "resource is required", wantExpr: "/resource"},
		{name: "unknown resource", method: "PUT", target: "/datastores/main/views/pt", body: `{"resource":"Patients","select":[{"column":[{"name":"id","path":"id"}]}]}`, wantStatus: 400, wantDiag: `unknown resource type "Patients"`, wantExpr: "/resource"},
		{name: "invalid view name", method: "PUT", target: "/datastores/main/views/Bad-Name", body: patientView, wantStatus: 400, wantDiag: "invalid view name"},
		{name: "store failure", method: "PUT", target: "/datastores/main/views/explode", body: strings.Replace(patientView, `"pt"`, `"explode"`, 1), wantStatus: 500, wantDiag: "internal error"},
		{name: "unknown data store", method: "PUT", target: "/datastores/other/views/pt", body: patientView, wantStatus: 404, wantDiag: `data store "other" does not exist`},
		{name: "list of unknown data store", method: "GET", target: "/datastores/other/views", wantStatus: 404},
		{name: "POST a view", method: "POST", target: "/datastores/main/views/pt", body: patientView, wantStatus: 405, wantHeader: map[string]string{"Allow": "GET, HEAD, PUT, DELETE"}},
		{name: "PUT the list", method: "PUT", target: "/datastores/main/views", wantStatus: 405},
		{name: "delete", method: "DELETE", target: "/datastores/main/views/pt", wantStatus: 204, wantBody: ""},
		{name: "delete again", method: "DELETE", target: "/datastores/main/views/pt", wantStatus: 404, wantDiag: `view "pt" does not exist in data store "main"`},
		{name: "show deleted", method: "GET", target: "/datastores/main/views/pt", wantStatus: 404},
		{name: "unknown path", method: "GET", target: "/datastores/main/tables", wantStatus: 404},
	}
	for _, s := range steps {
		rec := send(h, s.method, s.target, s.body, nil)
		require.Equal(t, s.wantStatus, rec.Code, "%s: %s", s.name, rec.Body.String())
		if s.wantBody != "" || rec.Code == 204 {
			require.Equal(t, s.wantBody, rec.Body.String(), s.name)
		}
		for k, v := range s.wantHeader {
			require.Equal(t, v, rec.Header().Get(k), "%s: %s", s.name, k)
		}
		if rec.Code >= 400 {
			requireOutcome(t, rec, s.wantDiag, s.wantExpr)
		}
	}
}

// requireOutcome checks an OperationOutcome body with one error issue,
// whose diagnostics contain diag and whose expression is [expr] (none
// when expr is "").
func requireOutcome(t *testing.T, rec *httptest.ResponseRecorder, diag, expr string) {
	t.Helper()
	require.Equal(t, "application/fhir+json; charset=utf-8", rec.Header().Get("Content-Type"))
	var oo struct {
		ResourceType string
		Issue        []struct {
			Severity, Code, Diagnostics string
			Expression                  []string
		}
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &oo), rec.Body.String())
	require.Equal(t, "OperationOutcome", oo.ResourceType)
	require.Len(t, oo.Issue, 1)
	require.Equal(t, "error", oo.Issue[0].Severity)
	require.Contains(t, oo.Issue[0].Diagnostics, diag)
	if expr == "" {
		require.Empty(t, oo.Issue[0].Expression)
	} else {
		require.Equal(t, []string{expr}, oo.Issue[0].Expression)
		require.Equal(t, "invalid", oo.Issue[0].Code)
	}
}

func TestRunView(t *testing.T) {
	h, fv := newViewHandler(t)
	csvType := map[string]string{"Content-Type": "text/csv; charset=utf-8"}
	tests := []struct {
		name       string
		target     string
		body       string
		header     http.Header
		wantStatus int
		wantBody   string
		wantDiag   string
		wantExpr   string
		wantHeader map[string]string
	}{
		{name: "default json", target: "/datastores/main/views/$run", body: patientView, wantStatus: 200,
			wantBody: `[{"id":"p1","family":"Chalmers","given":["Peter"]}]`, wantHeader: map[string]string{"Content-Type": "application/json"}},
		{name: "_format=csv", target: "/datastores/main/views/$run?_format=csv", body: patientView, wantStatus: 200,
			wantBody: "id,family,given\np1,Chalmers,\"[\"\"Peter\"\"]\"\n", wantHeader: csvType},
		{name: "Accept csv", target: "/datastores/main/views/$run", body: patientView, header: http.Header{"Accept": {"text/csv"}}, wantStatus: 200,
			wantBody: "id,family,given\np1,Chalmers,\"[\"\"Peter\"\"]\"\n", wantHeader: csvType},
		{name: "_format wins over Accept", target: "/datastores/main/views/$run?_format=ndjson", body: unnamedView, header: http.Header{"Accept": {"text/csv"}}, wantStatus: 200,
			wantBody: `{"id":"o1","value":1.50}` + "\n", wantHeader: map[string]string{"Content-Type": "application/x-ndjson"}},
		{name: "Accept with q", target: "/datastores/main/views/$run", body: unnamedView, header: http.Header{"Accept": {"text/csv;q=0, application/x-ndjson"}}, wantStatus: 200,
			wantBody: `{"id":"o1","value":1.50}` + "\n"},
		{name: "_limit", target: "/datastores/main/views/$run?_limit=1&_format=csv", wantStatus: 200,
			body:     `{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"}]},{"forEach":"name.given | name.family","column":[{"name":"part","path":"$this"}]}]}`,
			wantBody: "id,part\np1,Peter\n"},
		{name: "no rows", target: "/datastores/main/views/$run", body: `{"resource":"Encounter","select":[{"column":[{"name":"id","path":"id"}]}]}`, wantStatus: 200, wantBody: `[]`},
		{name: "invalid view", target: "/datastores/main/views/$run", body: badColumn, wantStatus: 400, wantDiag: `column "oops"`, wantExpr: "/select/0/column/1/path"},
		{name: "unknown constant", target: "/datastores/main/views/$run", wantStatus: 400, wantDiag: "undefined constant %use", wantExpr: "/select/0/forEach",
			body: `{"resource":"Patient","select":[{"forEach":"name.where(use = %use)","column":[{"name":"f","path":"family"}]}]}`},
		{name: "bad _limit", target: "/datastores/main/views/$run?_limit=0", body: patientView, wantStatus: 400, wantDiag: "_limit"},
		{name: "bad _format", target: "/datastores/main/views/$run?_format=xml", body: patientView, wantStatus: 406, wantDiag: "csv, ndjson, json or parquet"},
		{name: "bad Accept", target: "/datastores/main/views/$run", body: patientView, header: http.Header{"Accept": {"application/xml"}}, wantStatus: 406},
		{name: "unflattenable resource", target: "/datastores/main/views/$run", wantStatus: 422, wantDiag: "Patient/p1 cannot be flattened",
			body: `{"resource":"Patient","select":[{"column":[{"name":"given","path":"name.given | name.family"}]}]}`},
		{name: "unknown data store", target: "/datastores/other/views/$run", body: patientView, wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := send(h, "POST", tt.target, tt.body, tt.header)
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			if tt.wantBody != "" {
				require.Equal(t, tt.wantBody, rec.Body.String())
			}
			for k, v := range tt.wantHeader {
				require.Equal(t, v, rec.Header().Get(k), k)
			}
			if rec.Code >= 400 {
				requireOutcome(t, rec, tt.wantDiag, tt.wantExpr)
			}
		})
	}
	require.Equal(t, 405, send(h, "GET", "/datastores/main/views/$run", "", nil).Code)
	require.Empty(t, fv.views, "$run stores nothing")
}

func TestRunViewParquet(t *testing.T) {
	h, _ := newViewHandler(t)
	rec := send(h, "POST", "/datastores/main/views/$run", patientView, http.Header{"Accept": {"application/vnd.apache.parquet"}})
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.Equal(t, "application/vnd.apache.parquet", rec.Header().Get("Content-Type"))
	body := rec.Body.Bytes()
	require.Equal(t, "PAR1", string(body[:4]))
	require.Equal(t, "PAR1", string(body[len(body)-4:]))

	pf, err := file.NewParquetReader(bytes.NewReader(body))
	require.NoError(t, err)
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	require.NoError(t, err)
	tbl, err := fr.ReadTable(context.Background())
	require.NoError(t, err)
	defer tbl.Release()
	require.EqualValues(t, 1, tbl.NumRows())
	require.Equal(t, "id", tbl.Schema().Field(0).Name)
	require.Equal(t, "family", tbl.Schema().Field(1).Name)
	fam := tbl.Column(1).Data().Chunk(0).(*array.String)
	require.Equal(t, "Chalmers", fam.Value(0))
	given := tbl.Column(2).Data().Chunk(0).(*array.List)
	require.Equal(t, `["Peter"]`, given.ValueStr(0))

	// _limit applies to Parquet too.
	rec = send(h, "POST", "/datastores/main/views/$run?_format=parquet&_limit=1",
		`{"resource":"Patient","select":[{"forEach":"name.given | name.family","column":[{"name":"part","path":"$this"}]}]}`, nil)
	require.Equal(t, 200, rec.Code, rec.Body.String())
	pf2, err := file.NewParquetReader(bytes.NewReader(rec.Body.Bytes()))
	require.NoError(t, err)
	defer pf2.Close()
	require.EqualValues(t, 1, pf2.NumRows())
}
