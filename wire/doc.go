// Package wire serves the PostgreSQL frontend/backend protocol (version
// 3.0) on top of an Engine, so psql, pgx, JDBC and other Postgres clients
// can query fhirlake. It knows nothing of the query engine behind Engine.
//
// Server accepts connections; each runs in its own goroutine through the
// startup phase (SSL and GSS encryption requests are declined, CancelRequest
// cancels another connection's running query, an Authenticator checks the
// user), then the simple and extended query protocols. The server answers
// session statements itself: SET, RESET and SHOW of the Postgres run-time
// parameters it knows, and the transaction statements (the data is
// read-only, so a transaction block only tracks its status). Everything
// else goes to Session.Query one statement at a time.
//
// Results are encoded from the Go values of Rows by column type OID: text
// by encode_text.go, binary (when Bind asks for it) with pgtype. Errors
// carry their SQLSTATE in a *sqlstate.Error; any other error is sent as
// XX000.
//
// Protocol: https://www.postgresql.org/docs/current/protocol.html
package wire
