package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fhirlake/fhirlake/access"
	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/catalog"
)

// runGrant implements `fhirlake grant ROLE --datastore DS USER`.
func runGrant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runGrantCommand(ctx, "grant", args, stdout, stderr)
}

// runRevoke implements `fhirlake revoke ROLE --datastore DS USER`.
func runRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runGrantCommand(ctx, "revoke", args, stdout, stderr)
}

// runGrantCommand grants or revokes (verb) a role on a data store. Like
// `fhirlake user`, it runs with the server stopped (the server holds the
// data folder); a server started afterwards checks the grants at every
// new connection. Each grant and revoke, refused ones included, is
// recorded in the data folder's audit log.
func runGrantCommand(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet(verb, stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := keyFileFlag(fs)
	auditKeyFile := fs.String("audit-key-file", "", "key of the keyed (HMAC-SHA-256) audit chain, as given to serve")
	ds := fs.String("datastore", "", "data store the role applies to; "+access.AllDatastores+" for every data store, present and future (admin and auditor only)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: fhirlake %s [--data DIR] ROLE --datastore DS USER\n\nRoles: %s.\nOver the Postgres wire protocol, admin and analyst may run SQL on a data store's views.\n", verb, strings.Join(access.Roles(), ", "))
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return usagef("%s needs ROLE and USER", verb)
	}
	role, user := pos[0], pos[1]
	switch {
	case *ds == "":
		return usagef("%s: --datastore is required (%s for every data store)", verb, access.AllDatastores)
	case !access.ValidRole(role):
		return usagef("%s: unknown role %q (roles: %s)", verb, role, strings.Join(access.Roles(), ", "))
	case !catalog.ValidUserName(user):
		return usagef("%s: invalid user name %q", verb, user)
	}
	key, err := readAuditKey(*auditKeyFile)
	if err != nil {
		return err
	}
	l, err := openLakeWith(*data, verb, *keyFile, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	aopts, err := l.keys.auditOptions(filepath.Join(l.cat.Dir(), "audit"), audit.Options{Key: key})
	if err != nil {
		return err
	}
	log, err := audit.Open(ctx, filepath.Join(l.cat.Dir(), "audit"), aopts)
	if err != nil {
		return fmt.Errorf("%s: audit log (pass --audit-key-file if the server uses one): %w", verb, err)
	}
	defer log.Close()
	if err := auditedGrant(ctx, l.cat, log, cliActor, verb, user, *ds, role); err != nil {
		return err
	}
	if verb == "grant" {
		fmt.Fprintf(stdout, "granted %s on %s to %s\n", role, *ds, user)
	} else {
		fmt.Fprintf(stdout, "revoked %s on %s from %s\n", role, *ds, user)
	}
	return nil
}

// auditedGrant grants or revokes (verb) the role and records it in the
// audit log, a refusal included. When the log cannot take the record of a
// change, the change is undone and the command fails: no grant takes
// effect unaudited.
func auditedGrant(ctx context.Context, cat *catalog.Catalog, log *audit.Log, by auditBy, verb, user, ds, role string) error {
	had := hasGrant(cat, user, ds, role)
	do, undo := cat.Grant, cat.Revoke
	if verb == "revoke" {
		do, undo = cat.Revoke, cat.Grant
	}
	err := do(user, ds, role)
	out := audit.Outcome{Result: audit.Success}
	if err != nil {
		out = audit.Outcome{Result: audit.MinorFailure, Message: err.Error()}
	}
	ev := audit.Event{Kind: audit.KindGrant, Actor: by.actor, Protocol: by.protocol, Source: by.source,
		DataStore: ds, Action: verb, Subject: user, Role: role, Outcome: out}
	if _, aerr := log.Append(ctx, ev); aerr != nil {
		if err == nil && had != (verb == "grant") {
			err = undo(user, ds, role)
		}
		return errors.Join(fmt.Errorf("%s: %w, so nothing changed: %w", verb, errAuditRefused, aerr), err)
	}
	return err
}

// hasGrant reports whether user holds role on ds itself (not through
// a grant on every data store); false for an unknown user.
func hasGrant(cat *catalog.Catalog, user, ds, role string) bool {
	grants, err := cat.Grants(user)
	return err == nil && slices.ContainsFunc(grants, func(g catalog.Grant) bool { return g.Datastore == ds && g.Role == role })
}

// grantList formats a user's grants for `fhirlake user list`:
// role@datastore, comma-separated, or "-" for none.
func grantList(grants []catalog.Grant) string {
	if len(grants) == 0 {
		return "-"
	}
	parts := make([]string, len(grants))
	for i, g := range grants {
		parts[i] = g.Role + "@" + g.Datastore
	}
	return strings.Join(parts, ",")
}

// errAuditRefused marks an administrative change undone because the
// audit log could not record it (a server error, not the caller's).
var errAuditRefused = errors.New("the audit log refused the record")

// auditBy is who performs an administrative operation, for its audit
// record: the command line, or an administrator over the admin API.
type auditBy struct {
	actor            audit.Actor
	protocol, source string
}

// cliActor is a command run on the server's machine by whoever can open
// the data folder.
var cliActor = auditBy{actor: audit.Actor{Method: "local"}, protocol: "cli"}
