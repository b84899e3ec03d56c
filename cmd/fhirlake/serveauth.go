package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/fhirlake/fhirlake/auth/lockout"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/access"
	"github.com/fhirlake/fhirlake/auth"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/engine"
	"github.com/fhirlake/fhirlake/internal/selfsigned"
	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/fhirlake/fhirlake/wire"
)

// trustedUser is the user a server with no users accepts without a
// password, on loopback only.
const trustedUser = "fhirlake"

// pgSecurity decides how the Postgres listener authenticates and
// encrypts, and says so on out:
//   - no user exists and every listener is on loopback: the user fhirlake
//     is trusted without a password (the one-command quickstart);
//   - no user exists and a listener is not on loopback: refused, since
//     anyone on the network would be trusted;
//   - otherwise SCRAM-SHA-256 against the catalog's users, then the
//     user's roles on the data store (sqlAccess).
//
// TLS is always offered; it is required when the listener is not on
// loopback, where passwords and PHI would otherwise cross the network in
// the clear.
func pgSecurity(l *lake, pgAddr net.Addr, loopbackOnly bool, tlsCfg *tls.Config, logins *lockout.Limiter, out io.Writer) (wire.Options, error) {
	users, err := l.cat.Users()
	if err != nil {
		return wire.Options{}, err
	}
	opts := wire.Options{TLS: tlsCfg, RequireTLS: !isLoopback(pgAddr)}
	switch {
	case len(users) == 0 && !loopbackOnly:
		return wire.Options{}, usagef("serve: no user exists, and a listener is not on loopback: anyone who can reach it would get in without a password. Add a user first: fhirlake user add NAME")
	case len(users) == 0:
		opts.Authenticator = trustAuthenticator{}
		fmt.Fprintf(out, "auth:     no user exists and every listener is on loopback: user %s is trusted without a password (run 'fhirlake user add NAME' to require passwords)\n", trustedUser)
	default:
		scram := wire.SCRAMAuthenticator{Lookup: func(_ context.Context, name string) (auth.Verifier, bool, error) {
			u, err := l.cat.User(name)
			if errors.Is(err, catalog.ErrNotFound) || err == nil && u.IsClient() {
				// A client has no password: it is as unknown as a missing
				// user here.
				return auth.Verifier{}, false, nil
			}
			if err != nil {
				return auth.Verifier{}, false, err
			}
			v, err := auth.ParseVerifier(u.Verifier)
			return v, err == nil, err
		}}
		opts.Authenticator = sqlAccess{next: limitedLogins{next: scram, lock: logins}, roles: l.cat.RolesOn}
		fmt.Fprintf(out, "auth:     SCRAM-SHA-256 passwords required (%d users); SQL on a data store needs the role %s there, or %s for its audit_log only (fhirlake grant)\n",
			len(users), strings.Join(access.Needed(access.SQLViews), " or "), access.Auditor)
	}
	if opts.RequireTLS {
		fmt.Fprintln(out, "tls:      required on the Postgres listener (it is not on loopback)")
	}
	return opts, nil
}

// trustAuthenticator accepts the trusted user without a password and
// no one else.
type trustAuthenticator struct{}

func (trustAuthenticator) Authenticate(_ context.Context, user, _ string, _ wire.AuthExchange) error {
	if user != trustedUser {
		return &sqlstate.Error{Code: sqlstate.InvalidAuthorization,
			Message: fmt.Sprintf("role %q does not exist", user),
			Hint:    fmt.Sprintf("No user has been added, so only %q may connect (without a password); add users with 'fhirlake user add'.", trustedUser)}
	}
	return nil
}

// sqlAccess checks, after the password, that the user may open a SQL
// session on the data store it connects to: on its views (access.CanSQL),
// on its de-identified views (access.SQLDeid, the deid-analyst's session
// on schema deid alone) or on its audit log (access.AuditLog, the
// auditor's session on audit_log alone), so that no session opens on a data store the user
// holds no SQL role on. A refusal is a login failure, audited as one,
// with SQLSTATE 42501. Roles are read at each connection: a grant or
// revoke applies to the next one. What the session then sees is
// sqlScope's decision.
type sqlAccess struct {
	next  wire.Authenticator
	roles func(user, datastore string) ([]string, error)
}

// Authenticate runs next, then checks the user's roles on database.
func (a sqlAccess) Authenticate(ctx context.Context, user, database string, x wire.AuthExchange) error {
	if err := a.next.Authenticate(ctx, user, database, x); err != nil {
		return err
	}
	roles, err := a.roles(user, database)
	if err != nil {
		return fmt.Errorf("serve: roles of %s on %s: %w", user, database, err)
	}
	if access.CanSQL(roles) || access.Can(roles, access.SQLDeid) || access.Can(roles, access.AuditLog) {
		return nil
	}
	return noSQLError(user, database, roles)
}

// noSQLError is the refusal of a session to a user holding roles (none
// of them SQL ones) on database.
func noSQLError(user, database string, roles []string) error {
	held := fmt.Sprintf("User %q holds no role on %q.", user, database)
	if len(roles) > 0 {
		held = fmt.Sprintf("User %q holds %s on %q, which gives no SQL access.", user, strings.Join(roles, ", "), database)
	}
	return &sqlstate.Error{Severity: "FATAL", Code: sqlstate.InsufficientPrivilege,
		Message: fmt.Sprintf("permission denied for database %q", database),
		Detail:  held,
		Hint: fmt.Sprintf("SQL on a data store needs the role %s; an admin grants it with: fhirlake grant %s --datastore %s %s",
			strings.Join(access.Needed(access.SQLViews), " or "), access.Analyst, database, user)}
}

// sqlScope returns the engine's Options.Scope: what a SQL session of a
// user on a data store sees, from the roles the user holds there.
//   - sql-views (admin, analyst): the data store's views;
//   - sql-deid (admin, analyst, deid-analyst): its de-identified views
//     (schema deid), alone for a deid-analyst holding no view role;
//   - audit-log (admin, auditor): its audit_log, alone for an auditor
//     holding no view role; the records of the data store, or of the
//     whole log when the role is granted on "*";
//   - neither: refused (sqlAccess refuses first; this is the engine's
//     own check, for any other way in).
//
// With the trusted quickstart user (no user exists, authn is
// trustAuthenticator), the only one who can connect, a session sees
// everything.
func sqlScope(l *lake, authn wire.Authenticator) func(ctx context.Context, user, database string) (engine.Scope, error) {
	if _, trust := authn.(trustAuthenticator); trust {
		return func(context.Context, string, string) (engine.Scope, error) {
			return engine.Scope{Views: true, Audit: true, AuditAll: true, Deid: true}, nil
		}
	}
	return func(_ context.Context, user, database string) (engine.Scope, error) {
		roles, err := l.cat.RolesOn(user, database)
		if err != nil {
			return engine.Scope{}, fmt.Errorf("serve: roles of %s on %s: %w", user, database, err)
		}
		s := engine.Scope{Views: access.CanSQL(roles), Audit: access.Can(roles, access.AuditLog), Deid: access.Can(roles, access.SQLDeid)}
		if !s.Views && !s.Audit && !s.Deid {
			return engine.Scope{}, noSQLError(user, database, roles)
		}
		if s.Audit {
			grants, err := l.cat.Grants(user)
			if err != nil {
				return engine.Scope{}, fmt.Errorf("serve: grants of %s: %w", user, err)
			}
			for _, g := range grants {
				if g.Datastore == access.AllDatastores && access.Allows(g.Role, access.AuditLog) {
					s.AuditAll = true
				}
			}
		}
		return s, nil
	}
}

// isLoopback reports whether a listener accepts only local connections.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// serverTLS returns the TLS configuration of the listeners: the
// certificate and key files given, or a self-signed certificate kept in
// <data>/tls (made on first start).
func serverTLS(l *lake, certFile, keyFile string, out io.Writer) (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	switch {
	case (certFile == "") != (keyFile == ""):
		return nil, usagef("serve: --tls-cert and --tls-key go together")
	case certFile != "":
		cert, err = tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("serve: TLS certificate: %w", err)
		}
		fmt.Fprintf(out, "tls:      certificate %s\n", certFile)
	default:
		host, _ := os.Hostname()
		dir := filepath.Join(l.cat.Dir(), "tls")
		cert, err = selfsigned.LoadOrCreate(dir, []string{host})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "tls:      self-signed certificate %s (pass --tls-cert/--tls-key to use your own)\n", filepath.Join(dir, selfsigned.CertFile))
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// limitedLogins puts password logins under the lockout shared with the
// HTTP listener: a locked user or address is refused before its password
// is checked (SQLSTATE 28000, saying until when), and each wrong password
// counts toward the lock.
type limitedLogins struct {
	next wire.Authenticator
	lock *lockout.Limiter
}

func (a limitedLogins) Authenticate(ctx context.Context, user, database string, x wire.AuthExchange) error {
	addr := ""
	if ra := wire.RemoteAddr(ctx); ra != nil {
		addr = clientIP(ra.String())
	}
	now := time.Now()
	if err := a.lock.Check(user, addr, now); err != nil {
		return &sqlstate.Error{Severity: "FATAL", Code: sqlstate.InvalidAuthorization, Message: err.Error(),
			Hint: "An administrator can clear the lock: DELETE /admin/lockouts/" + user}
	}
	err := a.next.Authenticate(ctx, user, database, x)
	switch {
	case err == nil:
		a.lock.Succeeded(user, addr)
	case sqlstate.Code(err) == sqlstate.InvalidPassword:
		a.lock.Failed(user, addr, now)
	}
	return err
}
