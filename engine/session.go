package engine

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/fhirlake/fhirlake/wire"
)

// session is one client's DuckDB connection, switched to its data store
// and scope.
type session struct {
	e     *Engine
	conn  *sql.Conn
	db    string
	user  string
	scope Scope
}

// Open starts a session on the data store database for user, in the scope
// Options.Scope picks (ScopeViews when it is nil). An unknown database is
// a 3D000 error.
func (e *Engine) Open(ctx context.Context, database, user string) (wire.Session, error) {
	scope := ScopeViews
	if e.scope != nil {
		var err error
		if scope, err = e.scope(ctx, user, database); err != nil {
			return nil, err
		}
	}
	return e.OpenScoped(ctx, database, user, scope)
}

// OpenScoped starts a session on the data store database for user that
// sees only what scope allows (see Scope). An unknown database is a 3D000
// error, an empty scope a 42501 one.
func (e *Engine) OpenScoped(ctx context.Context, database, user string, scope Scope) (wire.Session, error) {
	if !e.hasStore(database) {
		return nil, sqlstate.New(sqlstate.InvalidCatalogName, "database %q does not exist", database)
	}
	if scope.empty() {
		return nil, sqlstate.New(sqlstate.InsufficientPrivilege, "permission denied for database %q: nothing to query", database)
	}
	if scope.Audit {
		if e.audit == nil {
			return nil, fmt.Errorf("engine: open session on %s: audit_log needs an audit log (Options.Audit)", database)
		}
		if err := e.ensureAuditView(ctx, database); err != nil {
			return nil, err
		}
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: open session: %w", err)
	}
	for _, stmt := range scope.sessionSetup(database, user) {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			conn.Close()
			return nil, mapError(ctx, fmt.Errorf("engine: open session on %s: %w", database, err))
		}
	}
	e.log.Debug("engine: session opened", "database", database, "user", user, "scope", scope)
	return &session{e: e, conn: conn, db: database, user: user, scope: scope}, nil
}

// Query runs one statement; see classify for what may run.
func (s *session) Query(ctx context.Context, sql string) (wire.Rows, error) {
	p, err := s.classify(ctx, sql)
	if err != nil {
		return nil, err
	}
	switch p.Kind {
	case planEmpty, planNoop:
		return &doneRows{tag: p.Tag}, nil
	case planExec:
		if _, err := s.conn.ExecContext(ctx, p.SQL); err != nil {
			return nil, mapError(ctx, err)
		}
		return &doneRows{tag: p.Tag}, nil
	}
	rows, err := s.run(ctx, p.SQL, p.Tag)
	if t, ok := rows.(interface{ setTables([]string) }); ok && err == nil {
		t.setTables(p.Tables)
	}
	return rows, err
}

// run executes a checked query: through DuckDB's Arrow interface when
// this build has it and the result's types allow, else database/sql.
func (s *session) run(ctx context.Context, sql, tag string) (wire.Rows, error) {
	if s.scope.Audit {
		// Every record appended before the statement started.
		if err := s.e.syncAudit(ctx); err != nil {
			return nil, err
		}
	}
	end := s.e.queries.begin()
	if rows, ok, err := s.queryArrow(ctx, sql, tag); ok {
		if err != nil {
			end()
			return nil, err
		}
		if t, ok := rows.(interface{ setEnd(func()) }); ok {
			t.setEnd(end)
		} else {
			end()
		}
		return rows, nil
	}
	r, err := s.conn.QueryContext(ctx, sql)
	if err != nil {
		end()
		return nil, mapError(ctx, err)
	}
	rs, err := newRows(ctx, r, tag)
	if err != nil {
		end()
		return nil, err
	}
	rs.end = end
	return rs, nil
}

// Close releases the session's connection; it is not reused.
func (s *session) Close() error {
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("engine: close session: %w", err)
	}
	return nil
}
