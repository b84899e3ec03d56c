package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// planKind says how a classified statement runs.
type planKind uint8

const (
	planEmpty planKind = iota // nothing to run (only comments or spaces)
	planQuery                 // a read-only query, run and stream rows
	planExec                  // transaction control, run without rows
	planNoop                  // a harmless Postgres SET, acknowledged
)

// plan is a classified statement.
type plan struct {
	Kind planKind
	SQL  string // the text to run, after rewriteCompat
	Tag  string // command tag; for queries, empty means "SELECT n"
	// Tables are the tables and views a query reads (see tablesRead).
	Tables []string
}

// fileFunctions read files, run SQL text or change the instance; user SQL
// may not call them, even inside the allowed data folder.
var fileFunctions = map[string]bool{
	"read_csv": true, "read_csv_auto": true, "sniff_csv": true,
	"read_parquet": true, "parquet_scan": true, "parquet_metadata": true, "parquet_schema": true,
	"parquet_file_metadata": true, "parquet_kv_metadata": true, "parquet_bloom_probe": true, "parquet_full_metadata": true,
	"read_json": true, "read_json_auto": true, "read_json_objects": true, "read_json_objects_auto": true,
	"read_ndjson": true, "read_ndjson_auto": true, "read_ndjson_objects": true,
	"read_text": true, "read_blob": true, "read_duckdb": true, "glob": true,
	"query": true, "query_table": true, "json_execute_serialized_sql": true,
	"arrow_scan": true, "arrow_scan_dumb": true, "seq_scan": true,
	"checkpoint": true, "force_checkpoint": true,
	"enable_logging": true, "disable_logging": true, "truncate_duckdb_logs": true, "write_log": true,
	"duckdb_logs": true, "duckdb_logs_parsed": true,
	"enable_profiling": true, "disable_profiling": true,
	"enable_peg_parser": true, "disable_peg_parser": true,
	"duckdb_secrets": true, "which_secret": true, "duckdb_temporary_files": true, "duckdb_external_file_cache": true,
}

// writeKeywords start statements that change data, schema or the instance.
var writeKeywords = map[string]bool{
	"insert": true, "update": true, "delete": true, "merge": true, "upsert": true, "truncate": true,
	"create": true, "drop": true, "alter": true, "comment": true, "copy": true,
	"attach": true, "detach": true, "export": true, "import": true, "install": true, "load": true,
	"force": true, "checkpoint": true, "vacuum": true, "analyze": true, "grant": true, "revoke": true,
}

// sessionKeywords start statements that change session or instance settings.
var sessionKeywords = map[string]bool{
	"set": true, "reset": true, "call": true, "pragma": true, "use": true, "prepare": true,
	"execute": true, "deallocate": true, "update_extensions": true,
}

// classify parses sql with DuckDB's parser and decides whether and how it
// may run. Refusals and syntax errors are *sqlstate.Error.
func (s *session) classify(ctx context.Context, sql string) (plan, error) {
	run := rewriteCompat(sql)
	tree, err := s.parseRewritten(ctx, sql, run, 0)
	if errors.Is(err, errNotSelect) {
		return s.classifyOther(ctx, sql)
	}
	if err != nil {
		return plan{}, err
	}
	stmts, _ := tree["statements"].([]any)
	switch len(stmts) {
	case 0:
		return plan{Kind: planEmpty}, nil
	case 1:
	default:
		return plan{}, sqlstate.New(sqlstate.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	if err := s.checkTree(stmts[0], run, 0); err != nil {
		return plan{}, err
	}
	if err := s.checkScope(stmts[0], run, 0); err != nil {
		return plan{}, err
	}
	return plan{Kind: planQuery, SQL: run, Tables: tablesRead(stmts[0])}, nil
}

// parseRewritten parses run, the rewriteCompat form of orig: DuckDB's
// parser rejects some Postgres spellings (::pg_catalog.text) that the
// rewrite removes. A syntax error is reported as found in orig, so that
// its position points into the text the client sent.
func (s *session) parseRewritten(ctx context.Context, orig, run string, offset int) (map[string]any, error) {
	tree, err := s.parse(ctx, run, offset)
	if err != nil && !errors.Is(err, errNotSelect) && run != orig {
		if _, oerr := s.parse(ctx, orig, offset); oerr != nil && !errors.Is(oerr, errNotSelect) {
			return nil, oerr
		}
	}
	return tree, err
}

var errNotSelect = errors.New("engine: not a SELECT statement")

// parse returns json_serialize_sql's tree of sql, errNotSelect for a
// statement it cannot serialise, or a 42601 error with its position
// (offset, in characters, is added for a statement inside another one).
func (s *session) parse(ctx context.Context, sql string, offset int) (map[string]any, error) {
	var v any
	if err := s.e.parseStmt.QueryRowContext(ctx, sql).Scan(&v); err != nil {
		return nil, mapError(ctx, err)
	}
	tree, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("engine: unexpected json_serialize_sql result %T", v)
	}
	if failed, _ := tree["error"].(bool); !failed {
		return tree, nil
	}
	msg, _ := tree["error_message"].(string)
	if tree["error_type"] == "not implemented" {
		return nil, errNotSelect
	}
	e := &sqlstate.Error{Code: sqlstate.SyntaxError, Message: msg}
	if pos, ok := number(tree["position"]); ok {
		e.Position = int(pos) + 1 + offset // DuckDB counts characters
	}
	return nil, e
}

// classifyOther handles statements json_serialize_sql does not serialise.
func (s *session) classifyOther(ctx context.Context, sql string) (plan, error) {
	w := words(sql)
	if len(w) == 0 {
		return plan{Kind: planEmpty}, nil
	}
	first, _ := w[0].ident(sql)
	switch first {
	case "explain":
		return s.classifyExplain(ctx, sql, w)
	case "begin", "start":
		return plan{Kind: planExec, SQL: sql, Tag: map[string]string{"begin": "BEGIN", "start": "START TRANSACTION"}[first]}, nil
	case "commit", "end":
		return plan{Kind: planExec, SQL: sql, Tag: "COMMIT"}, nil
	case "rollback", "abort":
		return plan{Kind: planExec, SQL: sql, Tag: "ROLLBACK"}, nil
	case "set":
		if harmlessSet(sql, w) {
			return plan{Kind: planNoop, Tag: "SET"}, nil
		}
	}
	keyword := strings.ToUpper(first)
	switch {
	case writeKeywords[first]:
		return plan{}, &sqlstate.Error{Code: sqlstate.InsufficientPrivilege, Position: 1,
			Message: fmt.Sprintf("permission denied: %s is not allowed, SQL over fhirlake is read-only", keyword),
			Hint:    "data changes through imports and the FHIR API; only queries run here"}
	case sessionKeywords[first]:
		return plan{}, &sqlstate.Error{Code: sqlstate.InsufficientPrivilege, Position: 1,
			Message: fmt.Sprintf("permission denied: %s statements are not allowed", keyword),
			Hint:    "fhirlake sessions are read-only; only queries run"}
	}
	return plan{}, &sqlstate.Error{Code: sqlstate.FeatureNotSupported, Position: 1,
		Message: fmt.Sprintf("%s statements are not supported", keyword),
		Hint:    "only queries (SELECT, WITH, VALUES, TABLE, DESCRIBE, SUMMARIZE, EXPLAIN) run"}
}

// classifyExplain accepts EXPLAIN [ANALYZE] of a query.
func (s *session) classifyExplain(ctx context.Context, sql string, w []token) (plan, error) {
	k := 1
	if k < len(w) {
		if a, _ := w[k].ident(sql); a == "analyze" {
			k++
		}
	}
	if k >= len(w) {
		return plan{}, &sqlstate.Error{Code: sqlstate.SyntaxError, Message: "syntax error at end of input", Position: charPosition(sql, len(sql))}
	}
	start := w[k].Start
	inner := rewriteCompat(sql[start:])
	tree, err := s.parseRewritten(ctx, sql[start:], inner, charPosition(sql, start)-1)
	if errors.Is(err, errNotSelect) {
		return plan{}, &sqlstate.Error{Code: sqlstate.InsufficientPrivilege, Position: charPosition(sql, start),
			Message: "permission denied: only queries can be explained, SQL over fhirlake is read-only"}
	}
	if err != nil {
		return plan{}, err
	}
	stmts, _ := tree["statements"].([]any)
	if len(stmts) != 1 {
		return plan{}, sqlstate.New(sqlstate.SyntaxError, "EXPLAIN needs exactly one query")
	}
	run := sql[:start] + inner
	if err := s.checkTree(stmts[0], run, start); err != nil {
		return plan{}, err
	}
	if err := s.checkScope(stmts[0], run, start); err != nil {
		return plan{}, err
	}
	return plan{Kind: planQuery, SQL: run, Tag: "EXPLAIN", Tables: tablesRead(stmts[0])}, nil
}

// harmlessSet accepts SET of the Postgres session parameters that drivers
// send at start-up and that change nothing fhirlake does.
func harmlessSet(sql string, w []token) bool {
	i := 1
	if i < len(w) {
		if m, _ := w[i].ident(sql); m == "session" || m == "local" {
			i++
		}
	}
	if i+2 >= len(w) || !(w[i+1].is(sql, "=") || isWord(sql, w[i+1], "to")) {
		return false
	}
	name, _ := w[i].ident(sql)
	value := strings.ToLower(strings.Trim(sql[w[i+2].Start:w[len(w)-1].End], `'" ;`))
	switch name {
	case "application_name", "extra_float_digits", "client_min_messages", "statement_timeout", "lock_timeout",
		"idle_in_transaction_session_timeout":
		return true
	case "client_encoding":
		return value == "utf8" || value == "utf-8" || value == "unicode"
	case "datestyle":
		return strings.HasPrefix(value, "iso")
	case "standard_conforming_strings":
		return value == "on"
	}
	return false
}

func isWord(sql string, t token, word string) bool {
	s, ok := t.ident(sql)
	return ok && t.Kind == tokIdent && s == word
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		var f float64
		_, err := fmt.Sscan(x, &f)
		return f, err == nil
	}
	return 0, false
}
