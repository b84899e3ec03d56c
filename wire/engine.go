package wire

import (
	"context"
)

// Engine opens query sessions. The wire package depends on nothing else of
// the query engine: cmd wires engine.Engine into a Server through this
// interface, so wire never sees DuckDB types.
type Engine interface {
	// Open starts a session on database (a data store name) for user.
	// An unknown database is a *sqlstate.Error with code 3D000.
	Open(ctx context.Context, database, user string) (Session, error)
}

// Session runs statements for one client connection. Calls are never
// concurrent: the wire server sends one statement at a time. To cancel a
// running statement the server cancels the ctx given to Query.
type Session interface {
	// Query runs exactly one SQL statement (the server splits a simple
	// Query message into statements). Errors should be *sqlstate.Error;
	// anything else is reported as XX000. The session stays usable after
	// an error.
	Query(ctx context.Context, sql string) (Rows, error)
	// Close releases the session. It is called once.
	Close() error
}

// ParamDescriber is an optional interface of Session: ParamTypes returns
// the Postgres type OID the engine infers for each $n parameter of a
// statement (0 when it cannot tell), for the parameters a client did not
// declare in Parse. Drivers such as pgx pick how to send a value from the
// type in ParameterDescription.
type ParamDescriber interface {
	ParamTypes(ctx context.Context, sql string) ([]uint32, error)
}

// TemplateQuerier is an optional interface of Session for statements
// prepared with parameters: template is the statement as the client
// prepared it (with $n), sql the same with the bound values substituted as
// literals. Literals cannot change what a statement may do, so an engine
// may reuse work done once on the template, such as its safety check.
type TemplateQuerier interface {
	QueryTemplate(ctx context.Context, template, sql string) (Rows, error)
}

// Column describes one result column in Postgres terms.
type Column struct {
	Name         string
	TypeOID      uint32 // Postgres type OID, e.g. 20 for int8, 25 for text
	TypeSize     int16  // pg_type.typlen: -1 for variable length
	TypeModifier int32  // -1 when none
}

// Rows is the result of one statement. Statements that return no rows
// (SET, CREATE ...) have no Columns, and Next returns false at once.
type Rows interface {
	// Columns describes the result; nil for statements without a result set.
	Columns() []Column
	// Next advances to the next row. It returns false at the end or on an
	// error; check Err afterwards.
	Next() bool
	// Values returns the current row. The slice is owned by Rows and is
	// valid until the next call to Next. Each value is nil (SQL NULL) or
	// one of: bool, int64, float64, string, []byte, time.Time, or a
	// fmt.Stringer whose String is the Postgres text form (numeric, uuid,
	// interval, arrays...). The wire server encodes them by the column OID.
	Values() []any
	// Err returns the error that stopped iteration, if any.
	Err() error
	// Tag returns the command tag, e.g. "SELECT 3" or "SET". It is valid
	// after Next has returned false.
	Tag() string
	// Close releases the result. It is safe to call more than once.
	Close() error
}
