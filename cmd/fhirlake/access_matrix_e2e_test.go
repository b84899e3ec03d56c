package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestAccessMatrix runs every role against every interaction of both
// protocols — FHIR over HTTP, SQL over the Postgres wire protocol — on
// its own data store and on another one, and expects the allow or deny
// written in the table (not derived from package access, so that a change
// to the matrix must change this table too). An interaction is allowed
// when its answer is anything but 401/403 (a refused SQL login or
// statement for SQL).
func TestAccessMatrix(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "data")
	var out bytes.Buffer
	cli := func(args ...string) {
		t.Helper()
		out.Reset()
		require.NoError(t, run(ctx, append(args[:1:1], append([]string{"--data", data}, args[1:]...)...), &out, &out), out.String())
	}
	require.NoError(t, run(ctx, []string{"generate", "--patients", "3", "--seed", "2", "--out", gen}, &out, &out), out.String())
	cli("import", "--datastore", "a", gen)
	cli("import", "--datastore", "b", gen)
	roles := []string{"admin", "writer", "reader", "analyst", "deid-analyst", "auditor"}
	users := append([]string{"root"}, roles...)
	users = append(users, "nobody")
	for _, u := range users {
		withStdin(t, "pw-"+u+"\n", func() { cli("user", "--password-stdin", "add", u) })
	}
	for _, r := range roles {
		cli("grant", r, "--datastore", "a", r) // user named after its role, on data store a only
	}
	srv := startServe(t, "--data", data)

	httpCall := func(user, method, path, body string, header ...string) int {
		t.Helper()
		req, err := http.NewRequest(method, "http://"+srv.httpAddr+path, strings.NewReader(body))
		require.NoError(t, err)
		req.SetBasicAuth(user, "pw-"+user)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	sqlCall := func(user, db, query string) error {
		conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s:pw-%s@%s/%s?sslmode=disable", user, user, srv.pgAddr, db))
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		var n int64
		return conn.QueryRow(ctx, query).Scan(&n)
	}
	pats := searchIDs(t, func(path string, h ...string) (int, http.Header, []byte) {
		return httpDo(t, "GET", "http://"+srv.httpAddr+"/fhir/a/"+path, "", h...)
	}, "Patient?_count=10", []string{"Authorization", basicHeader("root", "pw-root")})
	require.NotEmpty(t, pats)
	fhirJSON := []string{"Content-Type", "application/fhir+json"}

	type interaction struct {
		name string
		do   func(user string) bool
	}
	httpAllowed := func(status int) bool { return status != 401 && status != 403 }
	on := func(ds string) []interaction {
		return []interaction{
			{"read", func(u string) bool { return httpAllowed(httpCall(u, "GET", "/fhir/"+ds+"/Patient/"+pats[0], "")) }},
			{"search", func(u string) bool { return httpAllowed(httpCall(u, "GET", "/fhir/"+ds+"/Patient?_count=1", "")) }},
			{"create", func(u string) bool {
				return httpAllowed(httpCall(u, "POST", "/fhir/"+ds+"/Basic", `{"resourceType":"Basic","code":{"text":"x"}}`, fhirJSON...))
			}},
			{"delete", func(u string) bool { return httpAllowed(httpCall(u, "DELETE", "/fhir/"+ds+"/Basic/none", "")) }},
			{"history", func(u string) bool {
				return httpAllowed(httpCall(u, "GET", "/fhir/"+ds+"/Patient/"+pats[0]+"/_history", ""))
			}},
			{"$everything", func(u string) bool {
				return httpAllowed(httpCall(u, "GET", "/fhir/"+ds+"/Patient/"+pats[0]+"/$everything", ""))
			}},
			{"$export", func(u string) bool {
				return httpAllowed(httpCall(u, "GET", "/fhir/"+ds+"/$export?_type=Patient", "", "Prefer", "respond-async", "Accept", "application/fhir+json"))
			}},
			{"$import", func(u string) bool {
				return httpAllowed(httpCall(u, "POST", "/datastores/"+ds+"/$import", "{}", fhirJSON...))
			}},
			{"views list", func(u string) bool { return httpAllowed(httpCall(u, "GET", "/datastores/"+ds+"/views", "")) }},
			{"view put", func(u string) bool {
				return httpAllowed(httpCall(u, "PUT", "/datastores/"+ds+"/views/x", "{}", "Content-Type", "application/json"))
			}},
			{"sql views", func(u string) bool { return sqlCall(u, ds, "select count(*) from patient") == nil }},
			{"sql audit_log", func(u string) bool { return sqlCall(u, ds, "select count(*) from audit_log") == nil }},
			{"sql deid", func(u string) bool { return sqlCall(u, ds, "select count(*) from deid.patient") == nil }},
			{"$export deid", func(u string) bool {
				return httpAllowed(httpCall(u, "GET", "/fhir/"+ds+"/$export?_type=Patient&_deid=safe-harbor", "", "Prefer", "respond-async", "Accept", "application/fhir+json"))
			}},
		}
	}
	admin := interaction{"admin api", func(u string) bool { return httpAllowed(httpCall(u, "GET", "/admin/grants", "")) }}

	// The expected matrix: one letter per interaction of on(ds), in order
	// (x allowed, . denied), for data store a (where the roles are held)
	// and b (where they are not), then the admin API.
	// (sql deid is SQL on schema deid, $export deid a _deid=safe-harbor
	// export; a deid-analyst's "sql" reads deid.patient, the one patient
	// relation its session has).
	//                       read srch crt del hist evr exp imp vls vput sql aud sqld expd
	want := map[string]struct{ a, b, admin string }{
		"root":         {"xxxxxxxxxxxxxx", "xxxxxxxxxxxxxx", "x"}, // the first user: admin on every data store
		"admin":        {"xxxxxxxxxxxxxx", "..............", "."},
		"writer":       {"xxxxxxxxx....x", "..............", "."},
		"reader":       {"xx..xxx.x....x", "..............", "."},
		"analyst":      {"........x.x.xx", "..............", "."},
		"deid-analyst": {"..........x.xx", "..............", "."}, // de-identified views and exports only
		"auditor":      {"...........x..", "..............", "."},
		"nobody":       {"..............", "..............", "."},
	}
	for _, u := range users {
		for _, ds := range []string{"a", "b"} {
			exp := want[u].a
			if ds == "b" {
				exp = want[u].b
			}
			for i, in := range on(ds) {
				t.Run(fmt.Sprintf("%s/%s/%s", u, ds, in.name), func(t *testing.T) {
					require.Equal(t, exp[i] == 'x', in.do(u), "expected %q", exp[i:i+1])
				})
			}
		}
		t.Run(u+"/admin api", func(t *testing.T) {
			require.Equal(t, want[u].admin == "x", admin.do(u))
		})
	}
}

// basicHeader is the Authorization header of HTTP Basic credentials.
func basicHeader(user, password string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, password)
	return req.Header.Get("Authorization")
}
