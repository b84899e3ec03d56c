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
// COPY (query) TO STDOUT and COPY table [(columns)] TO STDOUT run the query
// on the engine and stream it as CopyData in the Postgres text, CSV or
// binary format (copy.go), with the old and the parenthesised option
// syntax, in the simple and the extended protocol. Every other COPY (FROM,
// to a server file, TO PROGRAM) is refused with 42501: SQL over the wire
// is read-only. SQL cursors (cursor.go) are answered by the server too:
// DECLARE [BINARY] ... CURSOR [WITH HOLD] FOR query opens the query on the
// engine, FETCH and MOVE read it forward only (backward motion is 55000),
// CLOSE, COMMIT/ROLLBACK (non-holdable ones) and the end of the session
// close it. Because an engine session streams one result at a time, open
// cursors are read into memory before any other statement runs on the
// engine.
//
// Results are encoded from the Go values of Rows by column type OID: text
// by encode_text.go, binary (when Bind asks for it) with pgtype. Errors
// carry their SQLSTATE in a *sqlstate.Error; any other error is sent as
// XX000.
//
// Protocol: https://www.postgresql.org/docs/current/protocol.html
package wire
