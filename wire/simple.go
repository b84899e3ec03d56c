package wire

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"
)

// simpleQuery runs a Query message: each statement in turn, stopping at
// the first error, then ReadyForQuery. Like Postgres it destroys the
// unnamed portal.
func (c *conn) simpleQuery(ctx context.Context, sql string) {
	c.closePortal("")
	stmts := splitStatements(sql)
	if len(stmts) == 0 {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
	}
	for _, stmt := range stmts {
		if err := c.simpleStatement(ctx, stmt); err != nil {
			c.sendError(err)
			break
		}
	}
	if !c.fatal {
		c.sendReady()
	}
}

// simpleStatement runs one statement of a Query message with text results.
func (c *conn) simpleStatement(ctx context.Context, stmt string) error {
	e, err := c.startStatement(ctx, stmt)
	if err != nil {
		c.auditFailure(ctx, stmt, nil, err)
		return err
	}
	defer e.close()
	cols := e.rows.Columns()
	if len(cols) > 0 {
		c.be.Send(rowDescription(cols, e.formats))
	}
	if _, err := c.streamRows(e, cols, e.formats, 0); err != nil {
		c.auditFailure(ctx, stmt, e.rows, err)
		return err
	}
	if err := c.auditStatement(ctx, stmt, e.rows.Tag(), e.rows); err != nil {
		return err
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(e.rows.Tag())})
	return nil
}
