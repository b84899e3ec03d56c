package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/store"
)

// memAudit keeps the events appended, or refuses them all.
type memAudit struct {
	mu     sync.Mutex
	events []audit.Event
	fail   bool
}

func (m *memAudit) Append(_ context.Context, ev audit.Event) (audit.Receipt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return audit.Receipt{}, errors.New("disk full")
	}
	m.events = append(m.events, ev)
	return audit.Receipt{Seq: uint64(len(m.events))}, nil
}

func (m *memAudit) last() audit.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.events[len(m.events)-1]
}

// TestAuditEveryInteraction: each request is recorded before its answer,
// with its interaction, data store, the resources it touched and its
// outcome; a request the log refuses is answered 500.
func TestAuditEveryInteraction(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	_, err := s.Put(ctx, []store.Input{{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p1"}`)}})
	require.NoError(t, err)
	log := &memAudit{}
	h := NewHandler(datastores{"main": s}, Options{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Searcher: refsSearcher{refs: nil, plans: new(int)},
		Audit:    log,
	})
	fhirJSON := http.Header{"Accept": {"application/fhir+json"}, "Content-Type": {"application/fhir+json"}}
	for _, tc := range []struct {
		method, target, body string
		status               int
		action               string
		resources            []string
	}{
		{"GET", "/fhir/main/Patient/p1", "", 200, "read", []string{"Patient/p1"}},
		{"GET", "/fhir/main/Patient/p1/_history/1", "", 200, "vread", []string{"Patient/p1"}},
		{"GET", "/fhir/main/Patient/nope", "", 404, "read", []string{"Patient/nope"}},
		{"GET", "/fhir/main/Patient?_id=p1", "", 200, "search-type", []string{"Patient/p1"}},
		{"GET", "/fhir/main/metadata", "", 200, "capabilities", nil},
		{"POST", "/fhir/main/Patient", `{"resourceType":"Patient","gender":"female"}`, 201, "create", nil},
		{"PUT", "/fhir/main/Patient/p2", `{"resourceType":"Patient","id":"p2"}`, 201, "update", []string{"Patient/p2"}},
		{"DELETE", "/fhir/main/Patient/p2", "", 200, "delete", []string{"Patient/p2"}},
		{"GET", "/fhir/main/Patient/p1/_history", "", 200, "history-instance", []string{"Patient/p1"}},
		{"POST", "/fhir/main", `{"resourceType":"Bundle","type":"transaction","entry":[]}`, 200, "transaction", nil},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			rec := doBody(h, tc.method, tc.target, fhirJSON, body)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			ev := log.last()
			require.Equal(t, audit.KindFHIR, ev.Kind)
			require.Equal(t, "main", ev.DataStore)
			require.Equal(t, tc.action, ev.Action)
			require.Equal(t, "http", ev.Protocol)
			require.True(t, strings.HasPrefix(ev.Query, tc.method+" /fhir/main"), ev.Query)
			require.Equal(t, audit.HTTPOutcome(tc.status, ""), ev.Outcome)
			if tc.method == "POST" && tc.action == "create" {
				require.Len(t, ev.Resources, 1)
				require.True(t, strings.HasPrefix(ev.Resources[0], "Patient/"), ev.Resources)
				return
			}
			require.Equal(t, tc.resources, ev.Resources)
		})
	}

	log.fail = true
	rec := do(h, "GET", "/fhir/main/Patient/p1", http.Header{"Accept": {"application/fhir+json"}})
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Contains(t, rec.Body.String(), "audit log")
	require.NotContains(t, rec.Body.String(), `"id":"p1"`, "nothing of the resource is answered")
}

func doBody(h http.Handler, method, target string, header http.Header, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
