// Package sqlstate defines the error type that carries a Postgres SQLSTATE
// from where an error is created (engine, wire) to the wire protocol edge,
// which copies every field into an ErrorResponse.
//
// Codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
package sqlstate

import (
	"errors"
	"fmt"
)

// Codes used across fhirlake. Add codes here as they are needed.
const (
	SuccessfulCompletion      = "00000"
	FeatureNotSupported       = "0A000"
	InvalidAuthorization      = "28000"
	InvalidPassword           = "28P01"
	InvalidCatalogName        = "3D000" // unknown database (data store)
	SyntaxError               = "42601"
	UndefinedTable            = "42P01"
	UndefinedColumn           = "42703"
	UndefinedFunction         = "42883"
	UndefinedObject           = "42704"
	InsufficientPrivilege     = "42501"
	DataException             = "22000"
	DivisionByZero            = "22012"
	InvalidTextRepresentation = "22P02"
	ReadOnlySQLTransaction    = "25006"
	QueryCanceled             = "57014"
	AdminShutdown             = "57P01"
	ProtocolViolation         = "08P01"
	InternalError             = "XX000"
	OutOfMemory               = "53200"
	IOError                   = "58030" // the audit log cannot record an interaction
)

// Error is an error with a SQLSTATE. Severity defaults to ERROR.
type Error struct {
	Severity string // ERROR, FATAL or PANIC; empty means ERROR
	Code     string // five-character SQLSTATE
	Message  string
	Detail   string
	Hint     string
	Position int   // 1-based character position in the query, 0 if unknown
	Err      error // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error with the given code and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code whose message is err's text.
func Wrap(code string, err error) *Error {
	return &Error{Code: code, Message: err.Error(), Err: err}
}

// Code returns the SQLSTATE attached to err, or InternalError when none is.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return InternalError
}
