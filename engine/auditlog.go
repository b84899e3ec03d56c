package engine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fhirlake/fhirlake/audit"
)

// AuditSource reads the audit log for the audit_log relation. It is the
// one place the engine reads the log: an encrypted log plugs in here.
type AuditSource interface {
	// Records calls fn with every record whose Seq is above after, in
	// seq order, and returns fn's first error. It must see every record
	// appended before it was called.
	Records(ctx context.Context, after uint64, fn func(audit.Record) error) error
}

// auditColumns are the columns of the loaded records and of audit_log,
// in order, with their DuckDB types; appendRecord fills them.
var auditColumns = []struct{ Name, Type string }{
	{"seq", "BIGINT"},
	{"time", "TIMESTAMPTZ"},
	{"kind", "VARCHAR"},
	{"actor", "VARCHAR"},
	{"client", "VARCHAR"},
	{"roles", "VARCHAR[]"},
	{"auth_method", "VARCHAR"},
	{"address", "VARCHAR"},
	{"protocol", "VARCHAR"},
	{"datastore", "VARCHAR"},
	{"action", "VARCHAR"},
	{"resources", "VARCHAR[]"},
	{"tables", "VARCHAR[]"},
	{"query", "VARCHAR"},
	{"row_count", "BIGINT"},
	{"subject", "VARCHAR"},
	{"role", "VARCHAR"},
	{"request_id", "VARCHAR"},
	{"result", "VARCHAR"},
	{"outcome_code", "VARCHAR"},
	{"outcome_message", "VARCHAR"},
	{"hash", "VARCHAR"},
	{"prev_hash", "VARCHAR"},
}

// auditComments describe audit_log's columns to clients (psql \d+).
var auditComments = map[string]string{
	"seq":             "position in the hash chain, from 1",
	"time":            "when the interaction happened",
	"kind":            "fhir, sql, login, import, export, grant, token, user or key",
	"actor":           "user name (the name tried, for a failed login)",
	"roles":           "roles in force for the interaction",
	"address":         "client network address",
	"protocol":        "http, pgwire or cli",
	"datastore":       "data store acted on; NULL for server-wide events",
	"action":          "FHIR interaction (read, search-type, ...) or verb (query, login, grant, ...)",
	"resources":       "resources touched, as Type/id",
	"tables":          "tables and views a SQL statement read",
	"query":           "SQL statement text or FHIR request line",
	"row_count":       "rows or resources returned or written",
	"result":          "0 success, 4 minor failure, 8 serious failure, 12 major failure",
	"outcome_code":    "HTTP status or SQLSTATE",
	"hash":            "hash of this record (SHA-256 or HMAC-SHA-256)",
	"prev_hash":       "hash of the record before",
	"subject":         "user, token or key an administrative event acted on",
	"role":            "role of a grant or revoke",
	"request_id":      "HTTP X-Request-Id",
	"outcome_message": "short description of a failure",
	"auth_method":     "password, token, jwt, client-credentials or local",
	"client":          "service or OAuth client id",
}

// auditTable is the qualified name of the loaded records.
const auditTable = "memory." + internalAuditSchema + ".records"

// createAuditTable creates the table audit records are loaded into.
func (e *Engine) createAuditTable(ctx context.Context) error {
	cols := make([]string, len(auditColumns))
	for i, c := range auditColumns {
		cols[i] = quoteIdent(c.Name) + " " + c.Type
	}
	return e.execAll(ctx, "create the audit table", []string{
		"CREATE SCHEMA memory." + internalAuditSchema,
		"CREATE TABLE " + auditTable + " (" + strings.Join(cols, ", ") + ")",
	})
}

// ensureAuditView creates the audit schema and audit_log view of a data
// store if they are missing (a data store attached since, or dropped and
// attached again). audit_log holds the records of the data store, or every
// record when the session's variable fhirlake_audit_all is true.
func (e *Engine) ensureAuditView(ctx context.Context, ds string) error {
	cols := make([]string, len(auditColumns))
	for i, c := range auditColumns {
		cols[i] = quoteIdent(c.Name)
	}
	schema := quoteIdent(ds) + "." + auditSchema
	view := schema + "." + auditRelation
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + schema,
		fmt.Sprintf("CREATE VIEW IF NOT EXISTS %s AS SELECT %s FROM %s WHERE datastore = %s OR coalesce(getvariable(%s), false)",
			view, strings.Join(cols, ", "), auditTable, quoteLiteral(ds), quoteLiteral(varAuditAll)),
		fmt.Sprintf("COMMENT ON VIEW %s IS %s", view, quoteLiteral("fhirlake audit log: one row per audited interaction (FHIR request, SQL statement, login, import, export, grant, ...), in seq order")),
	}
	for _, c := range auditColumns {
		if d := auditComments[c.Name]; d != "" {
			stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", view, quoteIdent(c.Name), quoteLiteral(d)))
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.stores[ds] {
		return fmt.Errorf("engine: audit_log of %s: no such data store", ds)
	}
	var n int
	if err := e.admin.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_views() WHERE database_name = ? AND schema_name = ? AND view_name = ?",
		ds, auditSchema, auditRelation).Scan(&n); err != nil {
		return fmt.Errorf("engine: audit_log of %s: %w", ds, err)
	}
	if n > 0 {
		return nil
	}
	return e.execAll(ctx, "create audit_log of "+ds, stmts)
}

// syncAudit loads the records appended to the audit log since the last
// call, so that a statement that starts afterwards sees every record
// appended before it started. Concurrent calls wait for each other.
func (e *Engine) syncAudit(ctx context.Context) error {
	e.auditMu.Lock()
	defer e.auditMu.Unlock()
	if e.auditConn == nil {
		c, err := e.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("engine: audit_log: connect: %w", err)
		}
		e.auditConn = c
	}
	closeFailed := false
	err := e.auditConn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		a, err := duckdb.NewAppender(conn, "memory", internalAuditSchema, "records")
		if err != nil {
			return err
		}
		last := e.auditSeq
		rerr := e.audit.Records(ctx, e.auditSeq, func(r audit.Record) error {
			if r.Seq <= last {
				return nil
			}
			if err := appendRecord(a, r); err != nil {
				return fmt.Errorf("record %d: %w", r.Seq, err)
			}
			last = r.Seq
			return nil
		})
		if err := a.Close(); err != nil {
			closeFailed = true
			return err
		}
		e.auditSeq = last
		return rerr
	})
	if closeFailed {
		// Some rows may have been flushed: drop them, the next call loads
		// them again.
		if _, derr := e.auditConn.ExecContext(ctx, "DELETE FROM "+auditTable+" WHERE seq > ?", int64(e.auditSeq)); derr != nil {
			err = errors.Join(err, derr)
		}
	}
	if err != nil {
		return fmt.Errorf("engine: audit_log: load the audit log: %w", err)
	}
	return nil
}

// appendRecord appends one record as a row of auditColumns.
func appendRecord(a *duckdb.Appender, r audit.Record) error {
	return a.AppendRow(int64(r.Seq), r.Time.UTC(), string(r.Kind), null(r.Actor.User), null(r.Actor.Client), list(r.Actor.Roles),
		null(r.Actor.Method), null(r.Source), null(r.Protocol), null(r.DataStore), null(r.Action), list(r.Resources),
		list(r.Tables), null(r.Query), r.Rows, null(r.Subject), null(r.Role), null(r.RequestID),
		string(r.Outcome.Result), null(r.Outcome.Code), null(r.Outcome.Message), r.Hash, r.Prev)
}

// null is s, or NULL for the empty string (a field the event left out).
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// list is l, or NULL when it is empty.
func list(l []string) any {
	if len(l) == 0 {
		return nil
	}
	return l
}
