package wire

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// errFailedTx is the answer to statements in a failed transaction block.
var errFailedTx = newError(codeInFailedSQLTransaction,
	"current transaction is aborted, commands ignored until end of transaction block")

// startLocal runs a statement the server answers itself: COPY and the
// cursor statements read from the engine, the others are answered here.
func (c *conn) startLocal(ctx context.Context, l *localStmt) (*execution, error) {
	switch l.kind {
	case localCopy:
		return c.startCopy(ctx, l.copy)
	case localDeclare, localFetch, localMove, localClose:
		return c.startCursorStmt(ctx, l)
	}
	rows, err := c.execLocal(l)
	if err != nil {
		return nil, err
	}
	return &execution{rows: rows, ctx: ctx, release: func() {}}, nil
}

// execLocal runs a statement the server answers itself.
func (c *conn) execLocal(l *localStmt) (Rows, error) {
	if c.tx == txFailed && l.kind != localCommit && l.kind != localRollback && l.kind != localRollbackTo {
		return nil, errFailedTx
	}
	switch l.kind {
	case localBegin:
		c.beginTx()
	case localCommit:
		return c.commit(), nil
	case localRollback:
		if c.tx == txIdle {
			c.notice(codeNoActiveSQLTransaction, "there is no transaction in progress")
		}
		c.endTx(false)
	case localSavepoint, localRelease, localRollbackTo:
		if err := c.savepoint(l); err != nil {
			return nil, err
		}
	case localSet:
		if err := c.execSet(l); err != nil {
			return nil, err
		}
	case localReset:
		if err := c.execReset(l); err != nil {
			return nil, err
		}
	case localShow:
		return c.show(l), nil
	case localDeallocate:
		if l.name == "" {
			clear(c.stmts)
			break
		}
		if _, ok := c.stmts[l.name]; !ok {
			return nil, newError(codeInvalidSQLStatementName, "prepared statement %q does not exist", l.name)
		}
		delete(c.stmts, l.name)
	case localDiscard:
		if c.tx != txIdle {
			return nil, newError(codeActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
		}
		clear(c.stmts)
		c.closeCursors()
		for name, p := range c.portals {
			if p.exec == nil {
				c.closePortal(name)
			}
		}
		if err := c.execReset(&localStmt{kind: localReset}); err != nil {
			return nil, err
		}
	}
	return tagRows(l.tag), nil
}

// beginTx starts a transaction block (the data is read-only, so a block
// only tracks status, savepoints and SET LOCAL).
func (c *conn) beginTx() {
	if c.tx != txIdle {
		c.notice(codeActiveSQLTransaction, "there is already a transaction in progress")
		return
	}
	c.tx = txBlock
	c.txSaved = cloneSettings(c.set)
	c.txLocal = make(map[string]bool)
}

// commit ends the block; a failed block rolls back, as in Postgres.
func (c *conn) commit() Rows {
	switch c.tx {
	case txIdle:
		c.notice(codeNoActiveSQLTransaction, "there is no transaction in progress")
		return tagRows("COMMIT")
	case txFailed:
		c.endTx(false)
		return tagRows("ROLLBACK")
	}
	c.endTx(true)
	return tagRows("COMMIT")
}

// endTx leaves the transaction block. Rollback restores all parameters
// as they were at BEGIN; commit restores only those SET LOCAL.
func (c *conn) endTx(commit bool) {
	if c.tx == txIdle {
		return
	}
	before := cloneSettings(c.set)
	if commit {
		for name := range c.txLocal {
			c.set[name] = c.txSaved[name]
		}
	} else {
		c.set = cloneSettings(c.txSaved)
	}
	c.tx, c.txSaved, c.txLocal, c.savepoints = txIdle, nil, nil, nil
	c.reportChanges(before)
	c.endCursorTx(commit)
	for name, p := range c.portals {
		if p.exec != nil || p.done { // not the COMMIT's own portal, still starting
			c.closePortal(name)
		}
	}
}

// savepoint runs SAVEPOINT, RELEASE and ROLLBACK TO.
func (c *conn) savepoint(l *localStmt) error {
	if c.tx == txIdle {
		return newError(codeNoActiveSQLTransaction, "%s can only be used in transaction blocks", map[localKind]string{
			localSavepoint: "SAVEPOINT", localRelease: "RELEASE SAVEPOINT", localRollbackTo: "ROLLBACK TO SAVEPOINT"}[l.kind])
	}
	if l.kind == localSavepoint {
		c.savepoints = append(c.savepoints, l.name)
		return nil
	}
	i := len(c.savepoints) - 1
	for i >= 0 && c.savepoints[i] != l.name {
		i--
	}
	if i < 0 {
		return newError(codeInvalidSavepoint, "savepoint %q does not exist", l.name)
	}
	if l.kind == localRelease {
		c.savepoints = c.savepoints[:i]
		return nil
	}
	c.savepoints = c.savepoints[:i+1]
	c.tx = txBlock
	return nil
}

// execSet runs SET [LOCAL] name = value | DEFAULT.
func (c *conn) execSet(l *localStmt) error {
	if l.kind == localNoop {
		return nil
	}
	g, _ := lookupGUC(l.name)
	if l.isLocal && c.tx == txIdle {
		c.notice(codeNoActiveSQLTransaction, "SET LOCAL can only be used in transaction blocks")
		return nil
	}
	before := cloneSettings(c.set)
	value := l.value
	if l.isDefault {
		value = c.resetVals[g.name]
	}
	if err := c.set.set(g, value); err != nil {
		return err
	}
	if l.isLocal {
		c.txLocal[g.name] = true
	}
	c.reportChanges(before)
	return nil
}

// execReset runs RESET name | ALL: back to the value after startup.
func (c *conn) execReset(l *localStmt) error {
	before := cloneSettings(c.set)
	if l.name == "" {
		for _, g := range gucs {
			if !g.readOnly {
				c.set[g.name] = c.resetVals[g.name]
			}
		}
	} else {
		g, _ := lookupGUC(l.name)
		if g.readOnly {
			return newError(codeCantChangeRuntimeParam, "parameter %q cannot be changed", g.name)
		}
		c.set[g.name] = c.resetVals[g.name]
	}
	c.reportChanges(before)
	return nil
}

// reportChanges sends ParameterStatus for each reportable parameter whose
// value differs from before, and refreshes the encoders.
func (c *conn) reportChanges(before settings) {
	for _, g := range gucs {
		if g.reportable && before[g.name] != c.set[g.name] {
			c.be.Send(&pgproto3.ParameterStatus{Name: g.name, Value: c.set[g.name]})
		}
	}
	c.updateFormats()
}

// show answers SHOW name and SHOW ALL (name, setting, description).
func (c *conn) show(l *localStmt) Rows {
	r := &memRows{cols: l.columns(), tag: "SHOW"}
	if l.name != "" {
		r.data = [][]any{{c.set[l.name]}}
		return r
	}
	all := slices.Clone(gucs)
	slices.SortFunc(all, func(a, b guc) int { return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) })
	for _, g := range all {
		r.data = append(r.data, []any{g.name, c.set[g.name], g.description})
	}
	return r
}
