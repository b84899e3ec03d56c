package wire

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// SQL cursors (DECLARE, FETCH, MOVE, CLOSE) are answered by the server: a
// cursor keeps its engine rows open between statements and reads them
// forward only. Before any other statement runs on the engine the open
// cursors are materialised in memory (detachCursors), because an engine
// session may stream only one result at a time.

// codeObjectNotInPrerequisiteState is SQLSTATE 55000, the answer to a
// backward fetch.
const codeObjectNotInPrerequisiteState = "55000"

// fetchKind is the direction of a FETCH or MOVE.
type fetchKind int

const (
	fetchForward  fetchKind = iota // NEXT, n, ALL, FORWARD [n | ALL]
	fetchBackward                  // PRIOR, BACKWARD [n | ALL], -n
	fetchAbsolute                  // FIRST, LAST (-1), ABSOLUTE n
	fetchRelative                  // RELATIVE n
)

// cursorStmt is a parsed DECLARE, FETCH, MOVE or CLOSE.
type cursorStmt struct {
	name   string // "" for CLOSE ALL
	query  string // DECLARE
	binary bool   // DECLARE ... BINARY
	scroll bool   // DECLARE ... SCROLL
	hold   bool   // DECLARE ... WITH HOLD
	kind   fetchKind
	count  int64 // rows or position; with all, ignored
	all    bool  // ALL rows in the direction
}

// parseCursorStmt parses DECLARE, FETCH, MOVE and CLOSE.
func parseCursorStmt(c *cursor) (*localStmt, bool, error) {
	first := c.word()
	c.i++
	cs := &cursorStmt{}
	var l *localStmt
	var err error
	switch first {
	case "DECLARE":
		l, err = parseDeclare(c, cs)
	case "CLOSE":
		l = &localStmt{kind: localClose, tag: "CLOSE CURSOR", cur: cs}
		if c.accept("ALL") {
			l.tag = "CLOSE CURSOR ALL"
		} else {
			err = cursorName(c, cs)
		}
	default:
		kind := map[string]localKind{"FETCH": localFetch, "MOVE": localMove}[first]
		l = &localStmt{kind: kind, tag: first, cur: cs}
		err = parseDirection(c, cs)
	}
	if err == nil && !c.done() {
		err = syntaxError(c)
	}
	if err != nil {
		return nil, true, err
	}
	return l, true, nil
}

func cursorName(c *cursor, cs *cursorStmt) error {
	name, ok := c.identifier()
	if !ok {
		return syntaxError(c)
	}
	cs.name = name
	return nil
}

// parseDeclare parses the rest of DECLARE name [BINARY] [ASENSITIVE |
// INSENSITIVE] [[NO] SCROLL] CURSOR [{WITH | WITHOUT} HOLD] FOR query.
func parseDeclare(c *cursor, cs *cursorStmt) (*localStmt, error) {
	if err := cursorName(c, cs); err != nil {
		return nil, err
	}
	for !c.accept("CURSOR") {
		switch {
		case c.accept("BINARY"):
			cs.binary = true
		case c.accept("INSENSITIVE", "ASENSITIVE"):
		case c.accept("SCROLL"):
			cs.scroll = true
		case c.accept("NO"):
			if !c.accept("SCROLL") {
				return nil, syntaxError(c)
			}
		default:
			return nil, syntaxError(c)
		}
	}
	if c.accept("WITH", "WITHOUT") {
		cs.hold = strings.EqualFold(c.sql[c.toks[c.i-1].start:c.toks[c.i-1].end], "WITH")
		if !c.accept("HOLD") {
			return nil, syntaxError(c)
		}
	}
	if !c.accept("FOR") || c.done() {
		return nil, syntaxError(c)
	}
	cs.query = strings.TrimSpace(c.sql[c.toks[c.i].start:])
	c.i = len(c.toks)
	return &localStmt{kind: localDeclare, tag: "DECLARE CURSOR", cur: cs}, nil
}

// parseDirection parses [direction] [FROM | IN] name of FETCH and MOVE.
func parseDirection(c *cursor, cs *cursorStmt) error {
	cs.kind, cs.count = fetchForward, 1
	switch {
	case c.accept("NEXT"):
	case c.accept("PRIOR"):
		cs.kind = fetchBackward
	case c.accept("FIRST"):
		cs.kind = fetchAbsolute
	case c.accept("LAST"):
		cs.kind, cs.count = fetchAbsolute, -1
	case c.accept("ALL"):
		cs.all = true
	case c.accept("ABSOLUTE", "RELATIVE"):
		cs.kind = map[bool]fetchKind{true: fetchAbsolute, false: fetchRelative}[strings.EqualFold(c.sql[c.toks[c.i-1].start:c.toks[c.i-1].end], "ABSOLUTE")]
		n, ok := signedCount(c)
		if !ok {
			return syntaxError(c)
		}
		cs.count = n
	case c.accept("FORWARD", "BACKWARD"):
		if strings.EqualFold(c.sql[c.toks[c.i-1].start:c.toks[c.i-1].end], "BACKWARD") {
			cs.kind = fetchBackward
		}
		if c.accept("ALL") {
			cs.all = true
		} else if n, ok := signedCount(c); ok {
			cs.count = n
		}
	default:
		if n, ok := signedCount(c); ok {
			cs.count = n
		}
	}
	if !cs.all && cs.count < 0 && (cs.kind == fetchForward || cs.kind == fetchBackward) {
		cs.kind = fetchForward + fetchBackward - cs.kind
		cs.count = -cs.count
	}
	c.accept("FROM", "IN")
	return cursorName(c, cs)
}

// signedCount consumes an optionally signed integer.
func signedCount(c *cursor) (int64, bool) {
	start := c.i
	neg := false
	if !c.done() && (c.text() == "-" || c.text() == "+") {
		neg = c.text() == "-"
		c.i++
	}
	if c.done() || c.toks[c.i].kind != tokNumber {
		c.i = start
		return 0, false
	}
	n, err := strconv.ParseInt(c.text(), 10, 64)
	if err != nil {
		c.i = start
		return 0, false
	}
	c.i++
	if neg {
		n = -n
	}
	return n, true
}

// sqlCursor is an open SQL cursor.
type sqlCursor struct {
	src    *execution // the query's rows, streaming or materialised
	cols   []Column
	binary bool
	hold   bool
	inTx   bool  // declared in the current transaction block
	pos    int64 // rows read so far (the current row's number)
	atEnd  bool  // the rows are exhausted
	memory bool  // src was materialised
	closed bool  // by CLOSE or the end of its transaction
}

// close releases the cursor's rows.
func (k *sqlCursor) close() {
	if !k.closed {
		k.closed = true
		k.src.close()
	}
}

// localColumns describes the result of a statement the server answers:
// a FETCH has the columns of its cursor (none if there is no such
// cursor yet), SHOW its own.
func (c *conn) localColumns(l *localStmt) []Column {
	if l.kind == localFetch {
		if k, ok := c.cursors[l.cur.name]; ok {
			return k.cols
		}
	}
	return l.columns()
}

// startCursorStmt runs DECLARE, FETCH, MOVE or CLOSE.
func (c *conn) startCursorStmt(ctx context.Context, l *localStmt) (*execution, error) {
	if c.tx == txFailed {
		return nil, errFailedTx
	}
	cs := l.cur
	switch l.kind {
	case localDeclare:
		return c.declare(ctx, cs)
	case localClose:
		if cs.name == "" {
			c.closeCursors()
		} else {
			k, err := c.lookupCursor(cs.name)
			if err != nil {
				return nil, err
			}
			k.close()
			delete(c.cursors, cs.name)
		}
		return &execution{rows: tagRows(l.tag), ctx: ctx, release: func() {}}, nil
	}
	k, err := c.lookupCursor(cs.name)
	if err != nil {
		return nil, err
	}
	return c.fetch(ctx, k, cs, l.kind == localMove)
}

func (c *conn) lookupCursor(name string) (*sqlCursor, error) {
	k, ok := c.cursors[name]
	if !ok {
		return nil, newError(codeInvalidCursorName, "cursor %q does not exist", name)
	}
	return k, nil
}

// declare opens a cursor: its query starts on the engine now.
func (c *conn) declare(ctx context.Context, cs *cursorStmt) (*execution, error) {
	if c.tx == txIdle && !cs.hold {
		return nil, newError(codeNoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, dup := c.cursors[cs.name]; dup {
		return nil, newError(codeDuplicateCursor, "cursor %q already exists", cs.name)
	}
	if modeOf(cs.query) != describeWrap {
		return nil, newError(sqlstate.SyntaxError, "DECLARE CURSOR must be followed by a query (SELECT, WITH, VALUES)")
	}
	src, err := c.startEngineIn(ctx, cs.query, c.cursorContext)
	if err != nil {
		return nil, err
	}
	k := &sqlCursor{src: src, cols: slices.Clone(src.rows.Columns()), binary: cs.binary, hold: cs.hold, inTx: c.tx != txIdle}
	if k.binary {
		if err := c.checkBinary(k.cols, []int16{binaryFormatCode}); err != nil {
			src.close()
			return nil, err
		}
	}
	if c.cursors == nil {
		c.cursors = make(map[string]*sqlCursor)
	}
	c.cursors[cs.name] = k
	return &execution{rows: tagRows("DECLARE CURSOR"), ctx: ctx, release: func() {}}, nil
}

// cursorContext returns the context of a cursor's rows: like
// queryContext it is canceled by CancelRequest, Shutdown and the end of
// the connection, but statement_timeout does not apply, as a cursor may
// stay open across many statements.
func (c *conn) cursorContext(ctx context.Context) (context.Context, func()) {
	qctx, cancel := context.WithCancelCause(ctx)
	c.mu.Lock()
	c.nextQ++
	id := c.nextQ
	c.queries[id] = cancel
	c.mu.Unlock()
	return qctx, func() {
		cancel(nil)
		c.mu.Lock()
		delete(c.queries, id)
		c.mu.Unlock()
	}
}

// errBackward refuses a fetch that would move backward.
func errBackward() error {
	return &sqlstate.Error{Code: codeObjectNotInPrerequisiteState, Message: "cursor can only scan forward",
		Hint: "This server reads cursors forward only: FETCH NEXT, FORWARD n, ALL, or ABSOLUTE/RELATIVE to a later row."}
}

// fetchPlan turns a direction into rows to skip and rows to return
// (want < 0: all), moving only forward.
func (k *sqlCursor) fetchPlan(cs *cursorStmt) (skip, want int64, err error) {
	switch cs.kind {
	case fetchForward:
		switch {
		case cs.all:
			return 0, -1, nil
		case cs.count == 0: // the current row again
			if k.pos == 0 || k.atEnd {
				return 0, 0, nil
			}
			return 0, 0, errBackward()
		}
		return 0, cs.count, nil
	case fetchBackward:
		return 0, 0, errBackward()
	}
	target := cs.count
	if cs.kind == fetchRelative {
		target = k.pos + cs.count
	}
	switch {
	case target < 0 || (target <= k.pos && target != 0) || (target == 0 && k.pos != 0):
		return 0, 0, errBackward()
	case target == 0:
		return 0, 0, nil
	}
	return target - k.pos - 1, 1, nil
}

// fetch runs FETCH or MOVE on a cursor. FETCH streams its rows when the
// statement executes; MOVE and any skipping happen here.
func (c *conn) fetch(ctx context.Context, k *sqlCursor, cs *cursorStmt, move bool) (*execution, error) {
	skip, want, err := k.fetchPlan(cs)
	if err != nil {
		return nil, err
	}
	absolute := cs.kind == fetchAbsolute || cs.kind == fetchRelative
	if k.atEnd {
		skip, want = 0, 0
	}
	if move {
		n := skip + max(want, 0)
		if want < 0 {
			n = -1
		}
		moved, err := c.skipRows(k, n)
		if err != nil {
			return nil, err
		}
		if absolute {
			moved = min(moved, 1)
			if k.atEnd {
				moved = 0
			}
		}
		return &execution{rows: tagRows("MOVE " + strconv.FormatInt(moved, 10)), ctx: ctx, release: func() {}}, nil
	}
	if _, err := c.skipRows(k, skip); err != nil {
		return nil, err
	}
	if k.atEnd {
		want = 0
	}
	e := &execution{ctx: ctx, release: func() {}}
	e.rows = &fetchRows{cols: k.cols, e: e}
	if k.binary {
		e.formats = []int16{binaryFormatCode}
	}
	e.stream = func(cols []Column, formats []int16, limit int) (bool, error) {
		return c.streamFetch(e, k, &want, cols, formats, limit)
	}
	return e, nil
}

// streamFetch sends up to *want rows (all when negative) of the cursor,
// at most limit (0: no limit) in this call.
func (c *conn) streamFetch(e *execution, k *sqlCursor, want *int64, cols []Column, formats []int16, limit int) (bool, error) {
	if *want == 0 {
		return false, nil
	}
	if k.closed { // closed while a portal of this FETCH was suspended
		return false, newError(codeInvalidCursorName, "cursor was closed while fetching from it")
	}
	n := *want
	if n < 0 || n > 1<<31-1 {
		n = 0
	}
	if limit > 0 && (n == 0 || int64(limit) < n) {
		n = int64(limit)
	}
	if cur := k.src.cursor; cur != nil && cur.batch != nil {
		c.chooseEncoders(cur, cols, formats)
	}
	before := k.src.sent
	more, err := c.streamRows(k.src, cols, formats, int(n))
	got := k.src.sent - before
	e.sent += got
	k.pos += got
	if err != nil {
		return false, err
	}
	if !more {
		k.atEnd = true
		return false, nil
	}
	if *want > 0 {
		*want -= got
	}
	return *want != 0 && int64(limit) == n && limit > 0, nil
}

// skipRows reads and discards up to n rows (all when negative) of the
// cursor and returns how many it read.
func (c *conn) skipRows(k *sqlCursor, n int64) (int64, error) {
	e := k.src
	var done int64
	if br, ok := e.rows.(BatchRows); ok && len(k.cols) > 0 {
		cur := e.cursor
		if cur == nil {
			cur = &batchCursor{rows: br}
			e.cursor = cur
		}
		for n < 0 || done < n {
			if cur.batch == nil || cur.next >= int(cur.batch.NumRows()) {
				ok, err := c.loadBatch(e, cur, k.cols, nil)
				if !ok {
					k.atEnd = true
					k.pos += done
					return done, err
				}
			}
			step := int64(int(cur.batch.NumRows()) - cur.next)
			if n >= 0 {
				step = min(step, n-done)
			}
			cur.next += int(step)
			done += step
		}
		k.pos += done
		return done, nil
	}
	for n < 0 || done < n {
		if !e.rows.Next() {
			k.atEnd = true
			k.pos += done
			if err := e.rows.Err(); err != nil {
				return done, queryError(e.ctx, err)
			}
			return done, queryError(e.ctx, e.ctx.Err())
		}
		done++
	}
	k.pos += done
	return done, nil
}

// fetchRows is the Rows of a FETCH: the cursor's columns, tag FETCH n.
type fetchRows struct {
	cols []Column
	e    *execution
}

func (r *fetchRows) Columns() []Column { return r.cols }
func (r *fetchRows) Next() bool        { return false }
func (r *fetchRows) Values() []any     { return nil }
func (r *fetchRows) Err() error        { return nil }
func (r *fetchRows) Tag() string       { return "FETCH " + strconv.FormatInt(r.e.sent, 10) }
func (r *fetchRows) Close() error      { return nil }

// closeCursors closes all cursors (CLOSE ALL, DISCARD ALL, end of
// session).
func (c *conn) closeCursors() {
	for name, k := range c.cursors {
		k.close()
		delete(c.cursors, name)
	}
}

// endCursorTx closes cursors at COMMIT or ROLLBACK: WITH HOLD cursors
// survive a commit, and stay open after it.
func (c *conn) endCursorTx(commit bool) {
	for name, k := range c.cursors {
		switch {
		case !k.hold, !commit && k.inTx:
			k.close()
			delete(c.cursors, name)
		default:
			k.inTx = false
		}
	}
}

// detachCursors materialises the cursors still reading engine rows, so
// another statement may run on the engine session. The rows are kept in
// memory as Go values.
func (c *conn) detachCursors() {
	for name, k := range c.cursors {
		if k.memory || k.atEnd {
			continue
		}
		if err := c.materialise(k); err != nil {
			c.log.Debug("wire: materialising cursor failed", "cursor", name, "err", err)
			k.src.close()
			k.src = &execution{rows: &errRows{err: err}, ctx: context.Background(), release: func() {}}
		}
		k.memory = true
	}
}

// materialise reads the rest of the cursor's rows into memory.
func (c *conn) materialise(k *sqlCursor) error {
	e := k.src
	m := &memRows{cols: k.cols, tag: e.rows.Tag()}
	values := 0
	tooMany := func() error {
		values += len(k.cols)
		if values > maxCursorValues {
			e.close()
			return newError(sqlstate.OutOfMemory, "a cursor left open while another statement runs keeps its remaining rows in memory, and this one has more than %d values left: fetch it to the end or close it first", maxCursorValues)
		}
		return nil
	}
	if br, ok := e.rows.(BatchRows); ok && len(k.cols) > 0 {
		cur := e.cursor
		if cur == nil {
			cur = &batchCursor{rows: br}
		}
		for {
			if cur.batch == nil || cur.next >= int(cur.batch.NumRows()) {
				ok, err := c.loadBatch(e, cur, k.cols, nil)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
			}
			for ; cur.next < int(cur.batch.NumRows()); cur.next++ {
				if err := tooMany(); err != nil {
					return err
				}
				row := make([]any, len(k.cols))
				for i := range row {
					if !cur.batch.Column(i).IsNull(cur.next) {
						row[i] = br.Value(cur.next, i)
					}
				}
				m.data = append(m.data, row)
			}
		}
	} else {
		for e.rows.Next() {
			if err := tooMany(); err != nil {
				return err
			}
			row := slices.Clone(e.rows.Values())
			for i, v := range row {
				if b, ok := v.([]byte); ok {
					row[i] = slices.Clone(b)
				}
			}
			m.data = append(m.data, row)
		}
		if err := e.rows.Err(); err != nil {
			return queryError(e.ctx, err)
		}
	}
	e.close()
	k.src = &execution{rows: m, ctx: context.Background(), release: func() {}}
	return nil
}

// maxCursorValues bounds the values an open cursor may keep in memory
// when another statement runs on the session (about 100 bytes each):
// the cap on result memory covers cursors too.
var maxCursorValues = 5_000_000

// errRows is an empty Rows that reports err: a cursor whose rows failed
// while being materialised reports the failure at its next FETCH.
type errRows struct{ err error }

func (r *errRows) Columns() []Column { return nil }
func (r *errRows) Next() bool        { return false }
func (r *errRows) Values() []any     { return nil }
func (r *errRows) Err() error        { return r.err }
func (r *errRows) Tag() string       { return "" }
func (r *errRows) Close() error      { return nil }
