// Package lockout limits password and token guessing: an in-memory
// Limiter, shared by the Postgres wire protocol (SCRAM logins) and the
// HTTP API (token and password logins), that locks a user after
// consecutive failed logins and a client address after failures for any
// user.
//
// A server calls Check before it looks at the credentials, and refuses
// the login with the *LockedError it returns; then Failed or Succeeded
// with the outcome. A lock lasts Config.Lockout and doubles at each repeated
// lock of the same user or address, up to a day. An administrator lists
// the locks with Locks and lifts one with Clear.
//
// Addresses are IP addresses without a port: the caller strips the port
// (net.SplitHostPort), or every connection of an attacker would count as
// a new address. IPv6 clients may rotate through the addresses of their
// prefix; this limiter does not group them.
//
// The state lives in the server's memory only: a restart forgets it. Its
// size is bounded: entries are forgotten once they have nothing left to
// remember (see Config), and each of the two maps (users, addresses) holds
// at most Config.MaxEntries, evicting the least recently failed entry,
// unlocked ones first.
//
// The design follows OWASP's Authentication Cheat Sheet ("Account
// Lockout") and NIST SP 800-63B section 5.2.2 (rate limiting).
package lockout
