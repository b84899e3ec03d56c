package engine

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// SQLSTATEs the engine needs beyond the shared sqlstate package.
const (
	codeNumericOutOfRange    = "22003"
	codeInvalidParameter     = "22023"
	codeSyntaxOrAccess       = "42000"
	codeGrouping             = "42803"
	codeDatatypeMismatch     = "42804"
	codeUndefinedSchema      = "3F000"
	codeInFailedTransaction  = "25P02"
	codeNoActiveTransaction  = "25P01"
	codeActiveTransaction    = "25001"
	codeConfigurationLimited = "55000"
)

// mapError turns a DuckDB (or context) error into a *sqlstate.Error that
// keeps DuckDB's message without its "Catalog Error: " style prefix and
// moves "Did you mean" suggestions into the hint.
func mapError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var se *sqlstate.Error
	if errors.As(err, &se) {
		return se
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &sqlstate.Error{Code: sqlstate.QueryCanceled, Message: "canceling statement due to user request", Err: err}
	}
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return &sqlstate.Error{Code: sqlstate.InternalError, Message: "engine: " + err.Error(), Err: err}
	}
	msg, hint := splitMessage(de.Msg)
	return &sqlstate.Error{Code: errorCode(de.Type, msg), Message: msg, Hint: hint, Err: err}
}

// divisionByZero is the message of the error pg_div and pg_mod raise.
const divisionByZero = "division by zero"

// errorCode picks the SQLSTATE for a DuckDB error type and message.
func errorCode(t duckdb.ErrorType, msg string) string {
	if strings.HasSuffix(msg, divisionByZero) {
		return sqlstate.DivisionByZero
	}
	switch t {
	case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax:
		return sqlstate.SyntaxError
	case duckdb.ErrorTypeCatalog:
		return catalogCode(msg)
	case duckdb.ErrorTypeBinder:
		return binderCode(msg)
	case duckdb.ErrorTypeConversion:
		return sqlstate.InvalidTextRepresentation
	case duckdb.ErrorTypeDivideByZero:
		return sqlstate.DivisionByZero
	case duckdb.ErrorTypeOutOfRange, duckdb.ErrorTypeDecimal:
		return codeNumericOutOfRange
	case duckdb.ErrorTypeInvalidInput:
		return codeInvalidParameter
	case duckdb.ErrorTypeMismatchType, duckdb.ErrorTypeInvalidType:
		return codeDatatypeMismatch
	case duckdb.ErrorTypePermission:
		return sqlstate.InsufficientPrivilege
	case duckdb.ErrorTypeInterrupt:
		return sqlstate.QueryCanceled
	case duckdb.ErrorTypeOutOfMemory:
		return sqlstate.OutOfMemory
	case duckdb.ErrorTypeNotImplemented:
		return sqlstate.FeatureNotSupported
	case duckdb.ErrorTypeTransaction:
		return transactionCode(msg)
	case duckdb.ErrorTypeSettings, duckdb.ErrorTypeInvalidConfiguration:
		return codeConfigurationLimited
	}
	return sqlstate.InternalError
}

func catalogCode(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "table with name"), strings.Contains(m, "table or view"), strings.Contains(m, "view with name"):
		return sqlstate.UndefinedTable
	case strings.Contains(m, "function with name"), strings.Contains(m, "macro function"):
		return sqlstate.UndefinedFunction
	case strings.Contains(m, "schema with name"), strings.Contains(m, "catalog"):
		return codeUndefinedSchema
	}
	return sqlstate.UndefinedObject
}

func binderCode(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.HasPrefix(m, "catalog \"") && strings.Contains(m, "does not exist"):
		return sqlstate.InvalidCatalogName // the session's data store was dropped
	case strings.Contains(m, "column") && (strings.Contains(m, "not found") || strings.Contains(m, "does not exist")):
		return sqlstate.UndefinedColumn
	case strings.Contains(m, "no function matches"):
		return sqlstate.UndefinedFunction
	case strings.Contains(m, "group by"):
		return codeGrouping
	case strings.Contains(m, "cannot compare") || strings.Contains(m, "cannot mix"):
		return codeDatatypeMismatch
	}
	return codeSyntaxOrAccess
}

func transactionCode(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "aborted"):
		return codeInFailedTransaction
	case strings.Contains(m, "no transaction is active"):
		return codeNoActiveTransaction
	case strings.Contains(m, "already active"):
		return codeActiveTransaction
	}
	return sqlstate.InternalError
}

// splitMessage strips the error-type prefix and the trailing LINE/caret
// context, and returns "Did you mean ..." lines as the hint.
func splitMessage(msg string) (string, string) {
	if prefix, rest, ok := strings.Cut(msg, ": "); ok && strings.HasSuffix(prefix, "Error") && !strings.Contains(prefix, "\n") {
		msg = rest
	}
	if i := strings.Index(msg, "\n\nLINE "); i >= 0 {
		msg = msg[:i]
	}
	var lines, hints []string
	for _, l := range strings.Split(strings.TrimSpace(msg), "\n") {
		if strings.HasPrefix(l, "Did you mean") || strings.HasPrefix(l, "Candidate") {
			hints = append(hints, strings.TrimSpace(l))
			continue
		}
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " "), strings.Join(hints, " ")
}

// charPosition converts a 0-based byte offset in sql to the 1-based
// character position Postgres reports.
func charPosition(sql string, offset int) int {
	if offset < 0 {
		return 0
	}
	if offset > len(sql) {
		offset = len(sql)
	}
	return utf8.RuneCountInString(sql[:offset]) + 1
}
