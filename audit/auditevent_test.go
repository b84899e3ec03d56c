package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/fhir/r4"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files under testdata/")

// auditEventCases are one event of each kind, exported as AuditEvents.
var auditEventCases = []struct {
	name string
	ev   Event
}{
	{"fhir-read", sampleEvent(3)},
	{"fhir-search-patient", Event{Kind: KindFHIR, Actor: Actor{User: "dr.who", Client: "ehr-app", Roles: []string{"reader"}},
		Source: "[2001:db8::7]:443", Protocol: "http", DataStore: "ward", Action: "search-type",
		Resources: []string{"Patient/p1", "Observation/o1", "Observation/o2"}, Query: "GET /fhir/ward/Observation?patient=p1",
		Rows: 2, RequestID: "4a8dca3c-2205-4dc7-90e1-db877781d7cc", Outcome: HTTPOutcome(200, "")}},
	{"fhir-create-refused", Event{Kind: KindFHIR, Actor: Actor{User: "bob", Roles: []string{"reader"}}, Source: "10.0.0.9:4000",
		Protocol: "http", DataStore: "ward", Action: "create", Outcome: HTTPOutcome(403, "scope does not allow create")}},
	{"sql", Event{Kind: KindSQL, Actor: Actor{User: "ana", Roles: []string{"analyst"}, Method: "password"}, Source: "127.0.0.1:5999",
		Protocol: "pgwire", DataStore: "ward", Action: "query", Query: "SELECT count(*) FROM patient JOIN observation USING (patient_id)",
		Tables: []string{"ward.patient", "ward.observation"}, Rows: 1, Outcome: SQLOutcome("", "")}},
	{"sql-error", Event{Kind: KindSQL, Actor: Actor{User: "ana"}, Source: "127.0.0.1:5999", Protocol: "pgwire",
		Action: "query", Query: "SELECT * FROM nope", Outcome: SQLOutcome("42P01", "relation nope does not exist")}},
	{"login-failed", Event{Kind: KindLogin, Actor: Actor{User: "eve", Method: "password"}, Source: "192.0.2.1:33000",
		Protocol: "pgwire", Action: "login", Outcome: SQLOutcome("28P01", "password authentication failed")}},
	{"import", Event{Kind: KindImport, Actor: Actor{User: "admin", Method: "local"}, Protocol: "cli", DataStore: "ward",
		Action: "import", Query: "/srv/synthea/fhir", Rows: 120000, Outcome: Outcome{Result: Success}}},
	{"export", Event{Kind: KindExport, Actor: Actor{Client: "bulk-job"}, Source: "gateway.example.org:443", Protocol: "http",
		DataStore: "ward", Action: "operation", Query: "GET /fhir/ward/$export?_type=Patient", Outcome: HTTPOutcome(202, "")}},
	{"grant", Event{Kind: KindGrant, Actor: Actor{User: "admin"}, Protocol: "cli", DataStore: "ward", Action: "grant",
		Subject: "ana", Role: "analyst", Outcome: Outcome{Result: Success}}},
	{"token-revoke", Event{Kind: KindToken, Actor: Actor{User: "admin"}, Protocol: "http", Action: "revoke",
		Subject: "ana", Outcome: Outcome{Result: Success}}},
	{"key-rotate-failed", Event{Kind: KindKey, Actor: Actor{User: "admin"}, Protocol: "cli", Action: "rotate",
		Subject: "master", Outcome: Outcome{Result: MajorFailure, Message: "key provider unreachable"}}},
}

// TestAuditEvent exports one event of each kind and checks each against
// its golden file and against the R4 validator.
func TestAuditEvent(t *testing.T) {
	for i, tc := range auditEventCases {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev
			if ev.Time.IsZero() {
				ev.Time = testTime
			}
			b, err := AuditEvent(Record{Seq: uint64(i + 1), Prev: Genesis, Alg: AlgSHA256, Event: ev})
			require.NoError(t, err)
			require.Empty(t, r4.Validate(b))
			var pretty bytes.Buffer
			require.NoError(t, json.Indent(&pretty, b, "", "  "))
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", "auditevent", tc.name+".json")
			if *rewrite {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, pretty.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./audit -run TestAuditEvent -rewrite")
			require.Equal(t, string(want), pretty.String())
		})
	}
}

// TestExport streams a log as NDJSON and filters by time.
func TestExport(t *testing.T) {
	dir := writeLog(t, 10, Options{})
	for _, tc := range []struct {
		name  string
		since time.Time
		want  int
	}{
		{"all", time.Time{}, 10},
		{"since the 4th", testTime.Add(4 * time.Second), 7},
		{"future", testTime.Add(time.Hour), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			n, err := Export(context.Background(), dir, &out, tc.since)
			require.NoError(t, err)
			require.Equal(t, tc.want, n)
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if tc.want == 0 {
				require.Empty(t, out.String())
				return
			}
			require.Len(t, lines, tc.want)
			for j, l := range lines {
				require.Empty(t, r4.Validate([]byte(l)))
				var ae struct {
					ResourceType, ID string
				}
				require.NoError(t, json.Unmarshal([]byte(l), &ae))
				require.Equal(t, "AuditEvent", ae.ResourceType)
				require.Equal(t, strconv.Itoa(11-tc.want+j), ae.ID)
			}
		})
	}
}
