package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/wire"
)

// Catalog is what the engine needs from *catalog.Catalog. Tests fake it.
type Catalog interface {
	// Dir is the absolute data folder; DuckDB may read nothing outside it.
	Dir() string
	// Datastores lists the data stores.
	Datastores() ([]catalog.Datastore, error)
	// Views lists the views of a data store with their current files.
	Views(ds string) ([]catalog.View, error)
	// DatastoreDir is the folder that view file paths are relative to.
	DatastoreDir(ds string) string
}

// Options tunes the engine. The zero value is usable.
type Options struct {
	// Threads is DuckDB's worker thread count; 0 keeps DuckDB's default
	// (the number of CPUs).
	Threads int
	// MemoryLimit is DuckDB's memory_limit, e.g. "4GB"; empty keeps
	// DuckDB's default (80% of RAM).
	MemoryLimit string
	// Logger receives refresh and session events; nil discards them.
	Logger *slog.Logger
	// Scope decides what a session opened through Open (the wire.Engine
	// method) may see, from its user and database; its error refuses the
	// session and reaches the client as it is (return a *sqlstate.Error).
	// Nil gives every session ScopeViews.
	Scope func(ctx context.Context, user, database string) (Scope, error)
	// Audit reads the audit log for the audit_log relation of sessions
	// whose Scope has Audit; nil refuses such sessions.
	Audit AuditSource
}

// Engine is the process-wide DuckDB database. It is safe for concurrent
// use; Refresh and Drop are serialised.
type Engine struct {
	cat   Catalog
	log   *slog.Logger
	conn  *duckdb.Connector
	db    *sql.DB
	admin *sql.Conn // DDL connection, held for the engine's lifetime
	// parser runs json_serialize_sql for the read-only check, apart from
	// the sessions' connections, so that it also works while a session's
	// transaction is aborted (and ROLLBACK must get through).
	parser *sql.DB
	// parseStmt is json_serialize_sql prepared once on parser: preparing
	// the wrapping query for every statement cost half of a small query.
	parseStmt *sql.Stmt
	// templates are the prepared statements already checked.
	templates templateCache

	mu     sync.RWMutex
	stores map[string]bool // attached data stores
	// viewSQLs holds, per data store, the CREATE VIEW statement each
	// table was last made with (guarded by mu), so Refresh replaces only
	// what changed.
	viewSQLs map[string]map[string]string

	queries activity // queries with open results

	scope func(ctx context.Context, user, database string) (Scope, error)
	audit AuditSource
	// auditMu serialises loading audit records (syncAudit) on auditConn,
	// a connection of its own; auditSeq is the last record loaded.
	auditMu   sync.Mutex
	auditConn *sql.Conn
	auditSeq  uint64
}

var _ wire.Engine = (*Engine)(nil)

// Open starts DuckDB, locks it down to cat.Dir() and attaches every data
// store of the catalog.
func Open(ctx context.Context, cat Catalog, opts Options) (*Engine, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("engine: start duckdb: %w", err)
	}
	db := sql.OpenDB(conn)
	// Closed sessions must not hand their connection (USE, variables,
	// an open transaction) to the next session.
	db.SetMaxIdleConns(0)
	parser := sql.OpenDB(conn)
	parser.SetMaxIdleConns(4)
	e := &Engine{cat: cat, log: log, conn: conn, db: db, parser: parser, stores: map[string]bool{}, viewSQLs: map[string]map[string]string{},
		scope: opts.Scope, audit: opts.Audit}
	if err := e.start(ctx, opts); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Engine) start(ctx context.Context, opts Options) error {
	admin, err := e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("engine: connect: %w", err)
	}
	e.admin = admin
	if err := e.configure(ctx, opts); err != nil {
		return err
	}
	if err := e.createCompatSchema(ctx); err != nil {
		return err
	}
	if err := e.createAuditTable(ctx); err != nil {
		return err
	}
	if err := e.lockDown(ctx); err != nil {
		return err
	}
	if e.parseStmt, err = e.parser.PrepareContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)"); err != nil {
		return fmt.Errorf("engine: prepare the parser: %w", err)
	}
	stores, err := e.cat.Datastores()
	if err != nil {
		return fmt.Errorf("engine: list data stores: %w", err)
	}
	for _, ds := range stores {
		if err := e.Refresh(ctx, ds.Name); err != nil {
			return err
		}
	}
	return nil
}

// Close closes DuckDB. Open sessions fail afterwards.
func (e *Engine) Close() error {
	var errs []error
	if e.admin != nil {
		errs = append(errs, e.admin.Close())
	}
	if e.parseStmt != nil {
		errs = append(errs, e.parseStmt.Close())
	}
	e.auditMu.Lock()
	if e.auditConn != nil {
		errs = append(errs, e.auditConn.Close())
	}
	e.auditMu.Unlock()
	errs = append(errs, e.parser.Close(), e.db.Close(), e.conn.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("engine: close: %w", err)
	}
	return nil
}

func (e *Engine) hasStore(name string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.stores[name]
}

// isOtherDatabase reports whether name is a database a session on current
// must not reach: another data store or DuckDB's main "memory" database.
func (e *Engine) isOtherDatabase(name, current string) bool {
	if name == current {
		return false
	}
	return name == "memory" || e.hasStore(name)
}
