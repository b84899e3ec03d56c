package wire

import (
	"context"
	"slices"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/jackc/pgx/v5/pgproto3"
)

// maxParams is the most parameters a statement may have (Bind counts
// them in 16 bits).
const maxParams = 65535

// prepared is a statement created by Parse.
type prepared struct {
	sql       string   // one statement, "" for an empty query
	paramOIDs []uint32 // declared or inferred; 0 = unknown
	described bool     // cols is known
	cols      []Column // result columns, nil for none
}

// portal is a statement bound to parameters by Bind. It starts running at
// Describe or Execute; a suspended portal keeps its rows open until the
// next Execute, Close or the end of the transaction.
type portal struct {
	stmt    *prepared
	sql     string  // statement text with parameters substituted
	formats []int16 // result format codes
	exec    *execution
	cols    []Column // columns used to encode rows
	done    bool     // ran to completion
	tag     string   // command tag once done
}

// extended handles one message of the extended query protocol. An error
// is sent by the caller, which then skips messages until Sync.
func (c *conn) extended(ctx context.Context, msg pgproto3.FrontendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.Parse:
		return c.parse(ctx, m)
	case *pgproto3.Bind:
		return c.bind(m)
	case *pgproto3.Describe:
		return c.describe(ctx, m)
	case *pgproto3.Execute:
		return c.execute(ctx, m)
	case *pgproto3.Close:
		return c.closeMsg(m)
	}
	return nil
}

// parse handles Parse: it splits off one statement and works out its
// parameters (the highest $n, or the declared count if larger; types
// from the declaration or from a $n::type cast).
func (c *conn) parse(ctx context.Context, m *pgproto3.Parse) error {
	if _, dup := c.stmts[m.Name]; dup && m.Name != "" {
		return newError(codeDuplicatePreparedStatement, "prepared statement %q already exists", m.Name)
	}
	stmts := splitStatements(m.Query)
	if len(stmts) > 1 {
		return newError(sqlstate.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	ps := &prepared{}
	if len(stmts) == 1 {
		ps.sql = stmts[0]
	}
	holders := placeholders(ps.sql)
	n := max(len(m.ParameterOIDs), maxPlaceholder(holders))
	if n > maxParams {
		return newError(codeUndefinedParameter, "there is no parameter $%d", n)
	}
	ps.paramOIDs = make([]uint32, n)
	copy(ps.paramOIDs, m.ParameterOIDs)
	for _, h := range holders {
		if h.n >= 1 && ps.paramOIDs[h.n-1] == 0 {
			ps.paramOIDs[h.n-1] = typeNameOIDs[h.castType]
		}
	}
	c.inferParams(ctx, ps)
	c.stmts[m.Name] = ps
	c.be.Send(&pgproto3.ParseComplete{})
	return nil
}

// inferParams asks the engine for the types of the parameters that are
// still unknown. It is best effort: a statement the engine cannot prepare
// keeps unknown parameters, and its error comes when it runs.
func (c *conn) inferParams(ctx context.Context, ps *prepared) {
	pd, ok := c.sess.(ParamDescriber)
	if !ok || !slices.Contains(ps.paramOIDs, 0) {
		return
	}
	oids, err := pd.ParamTypes(ctx, ps.sql)
	if err != nil {
		c.log.Debug("wire: parameter types", "err", err)
		return
	}
	for i, oid := range oids {
		if i < len(ps.paramOIDs) && ps.paramOIDs[i] == 0 {
			ps.paramOIDs[i] = oid
		}
	}
}

// bind handles Bind: it renders the parameters as literals into the
// statement text and creates the portal.
func (c *conn) bind(m *pgproto3.Bind) error {
	ps, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return newError(codeInvalidSQLStatementName, "prepared statement %q does not exist", m.PreparedStatement)
	}
	if _, dup := c.portals[m.DestinationPortal]; dup && m.DestinationPortal != "" {
		return newError(codeDuplicateCursor, "portal %q already exists", m.DestinationPortal)
	}
	if len(m.Parameters) != len(ps.paramOIDs) {
		return newError(sqlstate.ProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d",
			len(m.Parameters), m.PreparedStatement, len(ps.paramOIDs))
	}
	if f := len(m.ParameterFormatCodes); f > 1 && f != len(m.Parameters) {
		return newError(sqlstate.ProtocolViolation, "bind message has %d parameter formats but %d parameters", f, len(m.Parameters))
	}
	lits := make([]string, len(m.Parameters))
	for i, v := range m.Parameters {
		lit, err := paramLiteral(c.bin.types, i+1, ps.paramOIDs[i], formatFor(m.ParameterFormatCodes, i), v)
		if err != nil {
			return err
		}
		lits[i] = lit
	}
	sql, err := substitute(ps.sql, lits)
	if err != nil {
		return err
	}
	if err := checkFormats(m.ResultFormatCodes, len(m.ResultFormatCodes)); err != nil {
		return err
	}
	c.closePortal(m.DestinationPortal)
	c.portals[m.DestinationPortal] = &portal{stmt: ps, sql: sql, formats: slices.Clone(m.ResultFormatCodes)}
	c.be.Send(&pgproto3.BindComplete{})
	return nil
}

// describe handles Describe of a statement (ParameterDescription, then
// RowDescription or NoData) or of a portal (RowDescription or NoData).
func (c *conn) describe(ctx context.Context, m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		ps, ok := c.stmts[m.Name]
		if !ok {
			return newError(codeInvalidSQLStatementName, "prepared statement %q does not exist", m.Name)
		}
		cols, err := c.describeStatement(ctx, ps)
		if err != nil {
			return err
		}
		oids := make([]uint32, len(ps.paramOIDs))
		for i, oid := range ps.paramOIDs {
			oids[i] = oid
			if oid == 0 {
				oids[i] = 25 // text: unknown types are sent as strings
			}
		}
		c.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		c.sendColumns(cols, nil)
		return nil
	case 'P':
		p, ok := c.portals[m.Name]
		if k, isCursor := c.cursors[m.Name]; !ok && isCursor {
			// A SQL cursor is a portal too: psycopg 3 describes its
			// server-side cursors this way after DECLARE.
			var formats []int16
			if k.binary {
				formats = []int16{binaryFormatCode}
			}
			c.sendColumns(k.cols, formats)
			return nil
		}
		if !ok {
			return newError(codeInvalidCursorName, "portal %q does not exist", m.Name)
		}
		if err := c.startPortal(ctx, p); err != nil {
			c.closePortal(m.Name)
			return err
		}
		c.sendColumns(p.cols, p.formats)
		return nil
	}
	return newError(sqlstate.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
}

// sendColumns sends RowDescription, or NoData when there are no columns.
func (c *conn) sendColumns(cols []Column, formats []int16) {
	if len(cols) == 0 {
		c.be.Send(&pgproto3.NoData{})
		return
	}
	c.be.Send(rowDescription(cols, formats))
}

// startPortal runs the portal's statement if it has not started yet. The
// rows are encoded by the statement's described column types when the
// statement was described, so the client gets the types it was told.
func (c *conn) startPortal(ctx context.Context, p *portal) error {
	if p.exec != nil || p.done || p.stmt.sql == "" {
		return nil
	}
	if len(p.stmt.paramOIDs) > 0 {
		c.template = boundTemplate{template: p.stmt.sql, sql: p.sql}
	}
	e, err := c.startStatement(ctx, p.sql)
	c.template = boundTemplate{}
	if err != nil {
		return err
	}
	cols := e.rows.Columns()
	if p.stmt.described && len(p.stmt.cols) == len(cols) {
		cols = p.stmt.cols
	}
	if err := c.checkBinary(cols, p.formats); err != nil {
		e.close()
		return err
	}
	p.exec, p.cols = e, cols
	return nil
}

// checkBinary validates result formats before any row is sent: their
// count must fit the columns, and binary is possible only for types
// pgtype can encode.
func (c *conn) checkBinary(cols []Column, formats []int16) error {
	if err := checkFormats(formats, len(cols)); err != nil {
		return err
	}
	for i, col := range cols {
		if formatFor(formats, i) != binaryFormatCode || isTextLike(col.TypeOID) {
			continue
		}
		if _, ok := c.bin.types.TypeForOID(col.TypeOID); !ok {
			return newError(sqlstate.FeatureNotSupported, "binary format is not supported for column %q of type OID %d", col.Name, col.TypeOID)
		}
	}
	return nil
}

// execute handles Execute: it sends up to MaxRows rows (0 = all), then
// PortalSuspended or CommandComplete.
func (c *conn) execute(ctx context.Context, m *pgproto3.Execute) error {
	p, ok := c.portals[m.Portal]
	if !ok {
		return newError(codeInvalidCursorName, "portal %q does not exist", m.Portal)
	}
	if p.stmt.sql == "" {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if p.done {
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(p.tag)})
		return nil
	}
	if err := c.startPortal(ctx, p); err != nil {
		c.closePortal(m.Portal)
		c.auditFailure(ctx, p.stmt.sql, nil, err)
		return err
	}
	suspended, err := c.streamRows(p.exec, p.cols, p.formats, int(min(m.MaxRows, 1<<31-1)))
	if err != nil {
		c.auditFailure(ctx, p.stmt.sql, p.exec.rows, err)
		c.closePortal(m.Portal)
		return err
	}
	if suspended {
		c.be.Send(&pgproto3.PortalSuspended{})
		return nil
	}
	p.tag, p.done = p.exec.rows.Tag(), true
	aerr := c.auditStatement(ctx, p.stmt.sql, p.tag, p.exec.rows)
	p.exec.close()
	p.exec = nil
	if aerr != nil {
		return aerr
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(p.tag)})
	return nil
}

// closeMsg handles Close of a statement or portal; closing one that does
// not exist is not an error.
func (c *conn) closeMsg(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(c.stmts, m.Name)
	case 'P':
		c.closePortal(m.Name)
	default:
		return newError(sqlstate.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType)
	}
	c.be.Send(&pgproto3.CloseComplete{})
	return nil
}

// closePortal releases a portal and its open rows.
func (c *conn) closePortal(name string) {
	p, ok := c.portals[name]
	if !ok {
		return
	}
	if p.exec != nil {
		p.exec.close()
	}
	delete(c.portals, name)
}

// sync handles Sync: the error state ends, and outside a transaction
// block the implicit transaction ends with all its portals.
func (c *conn) sync() {
	c.skipSync = false
	if c.tx == txIdle {
		for name := range c.portals {
			c.closePortal(name)
		}
	}
	c.sendReady()
}
