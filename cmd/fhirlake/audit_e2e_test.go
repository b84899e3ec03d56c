package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// TestServeAuditsBothProtocols: a login and a statement over the Postgres
// protocol and a FHIR read each leave a record in the data folder's audit
// log, whose chain verifies.
func TestServeAuditsBothProtocols(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"datastore", "--data", data, "create", "ward"}, &out, &out), out.String())
	srv := startServe(t, "--data", data)
	conn, err := pgx.Connect(ctx, "postgres://fhirlake@"+srv.pgAddr+"/ward?sslmode=require")
	require.NoError(t, err)
	var n int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM patient").Scan(&n))
	require.NoError(t, conn.Close(ctx))
	resp, err := http.Get("http://" + srv.httpAddr + "/fhir/ward/Patient/nobody")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.NoError(t, srv.stop())

	var kinds []string
	require.NoError(t, auditRows(t, ctx, data, func(r audit.Record) error {
		switch {
		case r.Kind == audit.KindLogin && r.Actor.User == "fhirlake" && r.DataStore == "ward":
			kinds = append(kinds, "login")
		case r.Kind == audit.KindSQL && r.Query == "SELECT count(*) FROM patient" && r.Rows == 1 && len(r.Tables) == 1 && r.Tables[0] == "patient":
			kinds = append(kinds, "sql")
		case r.Kind == audit.KindFHIR && r.Action == "read" && len(r.Resources) == 1 && r.Resources[0] == "Patient/nobody" && r.Outcome.Code == "404":
			kinds = append(kinds, "fhir")
		}
		return nil
	}))
	require.Equal(t, []string{"login", "sql", "fhir"}, kinds)
	out.Reset()
	require.NoError(t, run(ctx, []string{"audit", "verify", "--data", data}, &out, &out), out.String())
}
