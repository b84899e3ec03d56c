// Package auth holds fhirlake's users and how they prove who they are: a
// User record (kept in the catalog and shared by the Postgres wire
// protocol and, later, the HTTP API), the SCRAM-SHA-256 password verifier
// stored for each user in PostgreSQL's own format, and the server side of
// a SCRAM-SHA-256 exchange (RFC 5802/7677, through github.com/xdg-go/scram).
//
// No password is ever stored: a verifier holds a salt, an iteration count
// and two keys derived from the password, from which the password cannot
// be recovered and which a client must still prove it can derive.
package auth
