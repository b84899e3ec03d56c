package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
)

// Transaction status bytes of ReadyForQuery.
const (
	txIdle   = 'I'
	txBlock  = 'T'
	txFailed = 'E'
)

// maxMessageSize bounds the body of a frontend message (64 MiB).
const maxMessageSize = 64 << 20

// Causes of a canceled query or connection.
var (
	errUserCancel       = errors.New("wire: canceled by client request")
	errStatementTimeout = errors.New("wire: statement timeout")
	errShutdown         = errors.New("wire: server shutting down")
	errTerminate        = errors.New("wire: client terminated the session")
)

// conn is the state of one client connection. Only its own goroutine
// touches it, except the fields under mu (used by Server for cancel and
// shutdown).
type conn struct {
	srv *Server
	nc  net.Conn // a *tls.Conn once TLS is on
	be  *pgproto3.Backend
	log *slog.Logger
	tls bool // the connection is encrypted

	template boundTemplate // set while a portal with parameters starts

	pid            uint32
	secret         []byte
	user, database string
	sess           Session

	set        settings        // current parameter values
	resetVals  settings        // values after startup, for RESET
	tx         byte            // txIdle, txBlock or txFailed
	txSaved    settings        // values at BEGIN, restored by ROLLBACK
	txLocal    map[string]bool // parameters SET LOCAL in this transaction
	savepoints []string

	stmts    map[string]*prepared
	portals  map[string]*portal
	skipSync bool // after an error in extended mode, until Sync
	fatal    bool // a FATAL error was sent: close after flushing
	atReady  bool // ReadyForQuery was the last message sent
	flushNow bool // a Flush message asked for pending output

	cursors map[string]*sqlCursor // SQL cursors (DECLARE), by name

	text   textFormat
	bin    binaryFormat
	rowBuf []byte
	spans  [][2]int

	mu      sync.Mutex
	idle    bool // blocked reading at a ReadyForQuery point
	queries map[uint64]context.CancelCauseFunc
	nextQ   uint64
}

// serveConn serves one client connection until it ends. A panic closes
// only this connection, after sending a FATAL XX000.
func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c := &conn{
		srv:     s,
		nc:      nc,
		be:      pgproto3.NewBackend(nc, nc),
		log:     s.log.With("remote", addrString(nc.RemoteAddr())),
		tx:      txIdle,
		stmts:   make(map[string]*prepared),
		portals: make(map[string]*portal),
		queries: make(map[uint64]context.CancelCauseFunc),
		bin:     binaryFormat{types: pgtype.NewMap()},
		rowBuf:  make([]byte, 0, 1024),
	}
	c.be.SetMaxBodyLen(maxMessageSize)
	stop := context.AfterFunc(ctx, func() { _ = nc.Close() })
	defer stop()
	defer nc.Close()
	defer c.srv.unregister(c)
	defer c.closeSession()
	defer c.recoverPanic()
	if err := c.startup(ctx); err != nil {
		return
	}
	err := c.loop(ctx)
	switch {
	case err == nil, errors.Is(err, errTerminate):
		c.log.Info("wire: connection closed")
	default:
		c.log.Info("wire: connection ended", "err", err)
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// recoverPanic turns a panic into a FATAL XX000 for this client only.
func (c *conn) recoverPanic() {
	r := recover()
	if r == nil {
		return
	}
	c.log.Error("wire: panic serving connection", "panic", r, "stack", string(debug.Stack()))
	c.be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL",
		Code: sqlstate.InternalError, Message: fmt.Sprintf("internal error: %v", r)})
	_ = c.be.Flush()
}

// closeSession closes open results and the engine session.
func (c *conn) closeSession() {
	for name := range c.portals {
		c.closePortal(name)
	}
	c.closeCursors()
	if c.sess != nil {
		if err := c.sess.Close(); err != nil {
			c.log.Warn("wire: closing session", "err", err)
		}
	}
}

// loop reads and handles messages until the client leaves, a FATAL error
// is sent, or the server shuts down.
func (c *conn) loop(ctx context.Context) error {
	c.sendReady()
	for {
		// Like Postgres, write only at ReadyForQuery, on Flush, before
		// closing, or when a result is large (streamRows): a pipelined
		// batch costs one write.
		if c.atReady || c.flushNow || c.fatal {
			if err := c.be.Flush(); err != nil {
				return fmt.Errorf("wire: write: %w", err)
			}
			c.flushNow = false
		}
		if c.fatal {
			return nil
		}
		msg, err := c.receive()
		if err != nil {
			return c.receiveFailed(err)
		}
		if err := c.handle(ctx, msg); err != nil {
			return err
		}
	}
}

// receive reads the next message. At a ReadyForQuery point the connection
// counts as idle, so Shutdown may interrupt the read.
func (c *conn) receive() (pgproto3.FrontendMessage, error) {
	if c.atReady {
		c.mu.Lock()
		select {
		case <-c.srv.done:
			c.mu.Unlock()
			return nil, errShutdown
		default:
		}
		c.idle = true
		c.mu.Unlock()
	}
	msg, err := c.be.Receive()
	c.mu.Lock()
	c.idle = false
	c.mu.Unlock()
	c.atReady = false
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && c.srv.isClosing() {
		return nil, errShutdown
	}
	return msg, err
}

// receiveFailed reports why reading failed: shutdown and protocol errors
// get a FATAL message; a vanished client gets none.
func (c *conn) receiveFailed(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, errShutdown):
		c.sendError(newFatal(sqlstate.AdminShutdown, "terminating connection due to administrator command"))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.As(err, &ne):
		return err
	default:
		c.sendError(newFatal(sqlstate.ProtocolViolation, "invalid frontend message: %v", err))
	}
	_ = c.be.Flush()
	return err
}

// handle dispatches one frontend message.
func (c *conn) handle(ctx context.Context, msg pgproto3.FrontendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.Query:
		c.simpleQuery(ctx, m.String)
	case *pgproto3.Sync:
		c.sync()
	case *pgproto3.Flush:
		c.flushNow = true
	case *pgproto3.Terminate:
		return errTerminate
	case *pgproto3.Parse, *pgproto3.Bind, *pgproto3.Describe, *pgproto3.Execute, *pgproto3.Close:
		if c.skipSync {
			return nil
		}
		if err := c.extended(ctx, msg); err != nil {
			c.sendError(err)
			c.skipSync = true
		}
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Ignored outside COPY mode, as Postgres does.
	case *pgproto3.FunctionCall:
		c.sendError(newError(sqlstate.FeatureNotSupported, "function call messages are not supported"))
		c.sendReady()
	default:
		c.sendError(newFatal(sqlstate.ProtocolViolation, "unexpected message %T", msg))
	}
	return nil
}

// sendReady sends ReadyForQuery with the transaction status.
func (c *conn) sendReady() {
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.tx})
	c.atReady = true
}

// sendError sends an ErrorResponse; inside a transaction block the
// transaction fails. A FATAL error closes the connection afterwards.
func (c *conn) sendError(err error) {
	resp := errorResponse(err)
	if c.tx == txBlock {
		c.tx = txFailed
	}
	if resp.Code == sqlstate.InternalError {
		c.log.Error("wire: statement failed", "code", resp.Code, "err", err)
	} else {
		c.log.Debug("wire: statement failed", "code", resp.Code, "err", resp.Message)
	}
	if resp.Severity == "FATAL" || resp.Severity == "PANIC" {
		c.fatal = true
	}
	c.be.Send(resp)
}

// notice sends a WARNING NoticeResponse.
func (c *conn) notice(code, msg string) { c.be.Send(noticeResponse(code, msg)) }

// interruptIfIdle wakes an idle connection blocked in a read so it sees
// the shutdown; a busy one notices at its next ReadyForQuery.
func (c *conn) interruptIfIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idle {
		_ = c.nc.SetReadDeadline(time.Now())
	}
}

// kill cancels the connection's queries and wakes its read, so it sends a
// FATAL message and closes.
func (c *conn) kill(cause error) {
	c.cancelQueries(cause)
	_ = c.nc.SetReadDeadline(time.Now())
}

// queryContext returns the context of one statement, canceled by
// CancelRequest, Shutdown, statement_timeout or the connection ending;
// release frees it.
func (c *conn) queryContext(ctx context.Context) (qctx context.Context, release func()) {
	qctx, cancel := context.WithCancelCause(ctx)
	stopTimer := func() bool { return false }
	if d := c.set.statementTimeout(); d > 0 {
		var stop context.CancelFunc
		qctx, stop = context.WithTimeoutCause(qctx, d, errStatementTimeout)
		stopTimer = func() bool { stop(); return true }
	}
	c.mu.Lock()
	c.nextQ++
	id := c.nextQ
	c.queries[id] = cancel
	c.mu.Unlock()
	return qctx, func() {
		stopTimer()
		cancel(nil)
		c.mu.Lock()
		delete(c.queries, id)
		c.mu.Unlock()
	}
}

// cancelQueries cancels the running statements of the connection.
func (c *conn) cancelQueries(cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cancel := range c.queries {
		cancel(cause)
	}
}

// queryError maps the error of a statement whose context was canceled to
// the Postgres error for the reason; other errors pass unchanged. Call it
// before releasing the context.
func queryError(qctx context.Context, err error) error {
	if qctx.Err() == nil {
		return err
	}
	switch cause := context.Cause(qctx); {
	case errors.Is(cause, errUserCancel):
		return newError(sqlstate.QueryCanceled, "canceling statement due to user request")
	case errors.Is(cause, errStatementTimeout):
		return newError(sqlstate.QueryCanceled, "canceling statement due to statement timeout")
	default:
		return newFatal(sqlstate.AdminShutdown, "terminating connection due to administrator command")
	}
}

// cloneSettings copies a settings map.
func cloneSettings(s settings) settings { return maps.Clone(s) }

// updateFormats refreshes the encoders after a parameter change.
func (c *conn) updateFormats() {
	c.text = c.set.textFormat()
	c.bin.text = c.text
}
