package engine

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/fhirlake/fhirlake/wire"
)

// session is one client's DuckDB connection, switched to its data store.
type session struct {
	e    *Engine
	conn *sql.Conn
	db   string
	user string
}

// Open starts a session on the data store database for user. An unknown
// database is a 3D000 error.
func (e *Engine) Open(ctx context.Context, database, user string) (wire.Session, error) {
	if !e.hasStore(database) {
		return nil, sqlstate.New(sqlstate.InvalidCatalogName, "database %q does not exist", database)
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: open session: %w", err)
	}
	for _, stmt := range []string{
		"USE " + quoteIdent(database),
		"SET VARIABLE fhirlake_user = " + quoteLiteral(user),
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			conn.Close()
			return nil, mapError(ctx, fmt.Errorf("engine: open session on %s: %w", database, err))
		}
	}
	e.log.Debug("engine: session opened", "database", database, "user", user)
	return &session{e: e, conn: conn, db: database, user: user}, nil
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
