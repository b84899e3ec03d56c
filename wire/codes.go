package wire

import "github.com/fhirlake/fhirlake/internal/sqlstate"

// SQLSTATE codes used only by the wire protocol layer; the shared ones live
// in internal/sqlstate.
const (
	codeActiveSQLTransaction        = "25001"
	codeNoActiveSQLTransaction      = "25P01"
	codeInFailedSQLTransaction      = "25P02"
	codeInvalidParameterValue       = "22023"
	codeCharacterNotInRepertoire    = "22021"
	codeInvalidBinaryRepresentation = "22P03"
	codeCantChangeRuntimeParam      = "55P02"
	codeDuplicatePreparedStatement  = "42P05"
	codeDuplicateCursor             = "42P03"
	codeInvalidSQLStatementName     = "26000"
	codeInvalidCursorName           = "34000"
	codeUndefinedParameter          = "42P02"
	codeInvalidSavepoint            = "3B001"
	codeConnectionFailure           = "08006"
)

// newError returns a *sqlstate.Error with severity ERROR.
func newError(code, format string, args ...any) *sqlstate.Error {
	return sqlstate.New(code, format, args...)
}

// newFatal returns a *sqlstate.Error with severity FATAL: the server closes
// the connection after sending it.
func newFatal(code, format string, args ...any) *sqlstate.Error {
	e := sqlstate.New(code, format, args...)
	e.Severity = "FATAL"
	return e
}
