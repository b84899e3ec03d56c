package wire

import (
	"context"
	"strconv"
	"strings"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// Auditor records an interaction durably before it is answered; package
// audit's *Log is one.
type Auditor interface {
	Append(ctx context.Context, ev audit.Event) (audit.Receipt, error)
}

// TableReporter is an optional interface of Rows: the tables and views a
// statement read, for its audit record.
type TableReporter interface {
	Tables() []string
}

// auditLogin records an authentication attempt; err is its failure, if
// any. A login the log cannot record is refused.
func (c *conn) auditLogin(ctx context.Context, err error) error {
	if c.srv.opts.Audit == nil {
		return nil
	}
	out := audit.SQLOutcome("", "")
	if err != nil {
		out = audit.SQLOutcome(sqlstate.Code(err), err.Error())
	}
	ev := audit.Event{Kind: audit.KindLogin, Actor: audit.Actor{User: c.user, Method: c.authMethod()}, Source: c.nc.RemoteAddr().String(),
		Protocol: "pgwire", DataStore: c.database, Action: "login", Outcome: out}
	if _, aerr := c.srv.opts.Audit.Append(context.WithoutCancel(ctx), ev); aerr != nil {
		c.log.Error("wire: the audit log refused a login record", "err", aerr)
		return newFatal(sqlstate.IOError, "the login could not be recorded in the audit log")
	}
	return nil
}

// authMethod names how the connection's user was checked.
func (c *conn) authMethod() string {
	if _, trust := c.srv.opts.Authenticator.(TrustAuthenticator); trust || c.srv.opts.Authenticator == nil {
		return "trust"
	}
	return "password"
}

// auditStatement records a statement that succeeded, before its
// CommandComplete: tag is its command tag (the row count comes from it).
// A success the log cannot record is answered as an error (58030)
// instead.
func (c *conn) auditStatement(ctx context.Context, sql, tag string, rows Rows) error {
	if err := c.appendStatement(ctx, sql, tag, rows, nil); err != nil {
		c.log.Error("wire: the audit log refused a statement record", "err", err)
		return newError(sqlstate.IOError, "the statement could not be recorded in the audit log, so its result is withheld")
	}
	return nil
}

// auditFailure records a statement that failed with failure, before its
// ErrorResponse; the failure is answered whether or not the log takes it.
func (c *conn) auditFailure(ctx context.Context, sql string, rows Rows, failure error) {
	if err := c.appendStatement(ctx, sql, "", rows, failure); err != nil {
		c.log.Error("wire: the audit log refused a statement record", "err", err)
	}
}

// appendStatement appends the record of one statement.
func (c *conn) appendStatement(ctx context.Context, sql, tag string, rows Rows, failure error) error {
	if c.srv.opts.Audit == nil || sql == "" {
		return nil
	}
	ev := audit.Event{Kind: audit.KindSQL, Actor: audit.Actor{User: c.user, Method: c.authMethod()}, Source: c.nc.RemoteAddr().String(),
		Protocol: "pgwire", DataStore: c.database, Action: "query", Query: sql, Rows: tagCount(tag),
		Outcome: audit.SQLOutcome("", "")}
	if tr, ok := rows.(TableReporter); ok {
		ev.Tables = tr.Tables()
	}
	if failure != nil {
		ev.Outcome = audit.SQLOutcome(sqlstate.Code(failure), failure.Error())
	}
	_, err := c.srv.opts.Audit.Append(context.WithoutCancel(ctx), ev)
	return err
}

// tagCount reads the row count of a command tag ("SELECT 5", "INSERT 0 3");
// 0 when it has none.
func tagCount(tag string) int64 {
	i := strings.LastIndexByte(tag, ' ')
	if i < 0 {
		return 0
	}
	n, err := strconv.ParseInt(tag[i+1:], 10, 64)
	if err != nil {
		return 0
	}
	return n
}
