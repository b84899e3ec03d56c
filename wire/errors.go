package wire

import (
	"errors"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/jackc/pgx/v5/pgproto3"
)

// errorResponse converts err into an ErrorResponse. A *sqlstate.Error
// anywhere in the chain gives every field; any other error becomes XX000
// with the error text as message.
func errorResponse(err error) *pgproto3.ErrorResponse {
	var se *sqlstate.Error
	if !errors.As(err, &se) {
		return &pgproto3.ErrorResponse{
			Severity:            "ERROR",
			SeverityUnlocalized: "ERROR",
			Code:                sqlstate.InternalError,
			Message:             err.Error(),
		}
	}
	sev := se.Severity
	if sev == "" {
		sev = "ERROR"
	}
	code := se.Code
	if code == "" {
		code = sqlstate.InternalError
	}
	msg := se.Message
	if msg == "" {
		msg = se.Error()
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                code,
		Message:             msg,
		Detail:              se.Detail,
		Hint:                se.Hint,
		Position:            int32(se.Position),
	}
}

// noticeResponse builds a WARNING NoticeResponse.
func noticeResponse(code, msg string) *pgproto3.NoticeResponse {
	return &pgproto3.NoticeResponse{
		Severity:            "WARNING",
		SeverityUnlocalized: "WARNING",
		Code:                code,
		Message:             msg,
	}
}
