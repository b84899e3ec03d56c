package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/auth/backend"
	"github.com/fhirlake/fhirlake/catalog"
)

// defaultClientScope is what a client may be granted unless --scope says
// otherwise: read and search every resource type.
const defaultClientScope = "system/*.rs"

// clientFlags are the flags of `fhirlake client`.
type clientFlags struct {
	data, keyFile, auditKeyFile, jwksFile, scope string
	replace                                      bool
	set                                          map[string]bool
}

// runClient implements `fhirlake client add|list|remove`: the registered
// clients of SMART Backend Services, which get access tokens at
// /auth/token with a JWT signed by one of their keys. A client shares the
// users' names and grants (fhirlake grant). Like `fhirlake user`, it runs
// with the server stopped; add and remove are recorded in the audit log.
func runClient(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("client", stderr)
	var f clientFlags
	fs.StringVar(&f.data, "data", defaultDataDir(), "data folder")
	fs.StringVar(&f.keyFile, "key-file", "", keyFileUsage)
	fs.StringVar(&f.auditKeyFile, "audit-key-file", "", "key of the keyed (HMAC-SHA-256) audit chain, as given to serve")
	fs.StringVar(&f.jwksFile, "jwks-file", "", "the client's JSON Web Key Set: its public keys (RS384, ES384, RS256, ES256), each with a kid")
	fs.StringVar(&f.scope, "scope", defaultClientScope, "the SMART system scopes the client may be granted, space-separated")
	fs.BoolVar(&f.replace, "replace", false, "replace the keys and scopes of an existing client (key rotation)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirlake client add NAME --jwks-file FILE [--scope \"system/*.rs\"] [--replace]\n"+
			"       fhirlake client list\n"+
			"       fhirlake client remove NAME\n\n"+
			"A client (SMART Backend Services) gets short-lived access tokens at POST /auth/token\n"+
			"with a JWT assertion signed by one of its private keys; only the public keys are\n"+
			"registered. Grant it roles like a user (fhirlake grant reader --datastore DS NAME);\n"+
			"its tokens carry at most --scope. remove also revokes its tokens. Run with the server stopped.")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if len(pos) == 0 {
		fs.Usage()
		return usagef("client: missing action (add, list, remove)")
	}
	if err := checkClientArgs(pos, f); err != nil {
		return err
	}
	return runClientAction(ctx, pos, f, stdout)
}

// checkClientArgs rejects what an action does not take, before anything
// is opened.
func checkClientArgs(pos []string, f clientFlags) error {
	allowed := map[string][]string{"add": {"jwks-file", "scope", "replace"}, "list": nil, "remove": nil}
	action := pos[0]
	ok, known := allowed[action]
	switch {
	case !known:
		return usagef("client: unknown action %q (add, list, remove)", action)
	case action == "list" && len(pos) != 1:
		return usagef("client list takes no arguments")
	case action != "list" && len(pos) != 2:
		return usagef("client %s needs exactly one NAME", action)
	case action == "add" && f.jwksFile == "":
		return usagef("client add: --jwks-file is required")
	case action != "list" && !catalog.ValidUserName(pos[1]):
		return usagef("client %s: invalid name %q: a letter, then letters, digits and _ . @ - (at most 63)", action, pos[1])
	}
	for _, name := range []string{"jwks-file", "scope", "replace"} {
		if f.set[name] && !slices.Contains(ok, name) {
			return usagef("client %s does not take --%s", action, name)
		}
	}
	return nil
}

// runClientAction opens the data folder (and, to change it, the audit
// log) and runs the action of pos.
func runClientAction(ctx context.Context, pos []string, f clientFlags, stdout io.Writer) error {
	var jwks []byte
	if pos[0] == "add" {
		var err error
		if jwks, err = readJWKSFile(f.jwksFile); err != nil {
			return err
		}
	}
	var key []byte
	if pos[0] != "list" {
		var err error
		if key, err = readAuditKey(f.auditKeyFile); err != nil {
			return err
		}
	}
	l, err := openLakeWith(f.data, "client", f.keyFile, io.Discard)
	if err != nil {
		return err
	}
	defer l.Close()
	if pos[0] == "list" {
		return listClients(l.cat, stdout)
	}
	aopts, err := l.keys.auditOptions(filepath.Join(l.cat.Dir(), "audit"), audit.Options{Key: key})
	if err != nil {
		return err
	}
	log, err := audit.Open(ctx, filepath.Join(l.cat.Dir(), "audit"), aopts)
	if err != nil {
		return fmt.Errorf("client %s: audit log (pass --audit-key-file if the server uses one): %w", pos[0], err)
	}
	defer log.Close()
	if pos[0] == "remove" {
		return removeClient(ctx, l.cat, log, pos[1], stdout)
	}
	return addClient(ctx, l.cat, log, pos[1], jwks, f.scope, f.replace, stdout)
}

// readJWKSFile reads --jwks-file, refusing one too large to be a key set.
func readJWKSFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("client add: %w", err)
	}
	if st.Size() > backend.MaxKeySetBytes {
		return nil, usagef("client add: %s is larger than %d bytes: not a key set", path, backend.MaxKeySetBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("client add: %w", err)
	}
	return b, nil
}

// addClient registers (or, with replace, updates) a client and records
// it in the audit log, a refusal included. When the log refuses the
// record, the change is undone.
func addClient(ctx context.Context, cat *catalog.Catalog, log *audit.Log, name string, jwks []byte, scope string, replace bool, stdout io.Writer) error {
	prev, prevErr := cat.User(name)
	users, err := cat.Users()
	if err != nil {
		return fmt.Errorf("client add: %w", err)
	}
	action := "add"
	if replace {
		action = "replace"
	}
	err = cat.PutClient(name, jwks, scope, replace)
	if aerr := auditClient(ctx, log, action, name, err); aerr != nil {
		if err == nil {
			err = undoClient(cat, name, prev, prevErr)
		}
		return errors.Join(fmt.Errorf("client %s: the audit log refused the record, so nothing changed: %w", action, aerr), err)
	}
	if err != nil {
		return fmt.Errorf("client %s: %w", action, err)
	}
	u, err := cat.User(name)
	if err != nil {
		return err
	}
	if replace {
		fmt.Fprintf(stdout, "replaced the keys of client %s; it may be granted %s\n", name, u.Scopes)
		return nil
	}
	fmt.Fprintf(stdout, "added client %s; it may be granted %s, and has no role yet: fhirlake grant ROLE --datastore DS %s\n", name, u.Scopes, name)
	if len(users) == 0 {
		// Like a first user, a first client ends the trusted quickstart,
		// but it is no administrator.
		fmt.Fprintln(stdout, "note: the server now requires credentials from every client, and no user has a password: add an administrator with 'fhirlake user add'")
	}
	return nil
}

// undoClient restores what addClient changed: the previous record of a
// replaced client, or no client at all.
func undoClient(cat *catalog.Catalog, name string, prev catalog.User, prevErr error) error {
	if prevErr != nil {
		return cat.DeleteUser(name)
	}
	return cat.PutClient(name, prev.JWKS, prev.Scopes, true)
}

// removeClient drops a client, its grants and its tokens, and records it
// in the audit log, a refusal included. A user is not removed: that is
// fhirlake user drop. When the log refuses the record, the client, its
// grants and its tokens are put back.
func removeClient(ctx context.Context, cat *catalog.Catalog, log *audit.Log, name string, stdout io.Writer) error {
	u, err := cat.User(name)
	if err == nil && !u.IsClient() {
		err = fmt.Errorf("%q is a user, not a client (fhirlake user drop)", name)
	}
	var grants []catalog.Grant
	var tokens []catalog.Token
	if err == nil {
		grants, err = cat.Grants(name)
	}
	if err == nil {
		tokens, err = cat.Tokens(name)
	}
	if err == nil {
		err = cat.DeleteUser(name)
	}
	if aerr := auditClient(ctx, log, "remove", name, err); aerr != nil {
		if err == nil {
			err = restoreClient(cat, u, grants, tokens)
		}
		return errors.Join(fmt.Errorf("client remove: the audit log refused the record, so nothing changed: %w", aerr), err)
	}
	if err != nil {
		return fmt.Errorf("client remove: %w", err)
	}
	fmt.Fprintf(stdout, "removed client %s, its %d grant(s) and %d token(s)\n", name, len(grants), len(tokens))
	return nil
}

// restoreClient puts back a removed client with its grants and tokens.
func restoreClient(cat *catalog.Catalog, u catalog.User, grants []catalog.Grant, tokens []catalog.Token) error {
	errs := []error{cat.PutClient(u.Name, u.JWKS, u.Scopes, false)}
	for _, g := range grants {
		errs = append(errs, cat.Grant(g.User, g.Datastore, g.Role))
	}
	for _, t := range tokens {
		errs = append(errs, cat.PutToken(t))
	}
	return errors.Join(errs...)
}

// auditClient appends the record of a client add, replace or remove
// (action) of name, refused if err is set.
func auditClient(ctx context.Context, log *audit.Log, action, name string, err error) error {
	out := audit.Outcome{Result: audit.Success, Message: "client " + name}
	if err != nil {
		out = audit.Outcome{Result: audit.MinorFailure, Message: "client " + name + ": " + err.Error()}
	}
	_, aerr := log.Append(ctx, audit.Event{Kind: audit.KindUser, Actor: audit.Actor{Method: "local"}, Protocol: "cli",
		Action: action, Subject: name, Outcome: out})
	return aerr
}

// listClients prints the registered clients: their scopes, key ids and
// grants.
func listClients(cat *catalog.Catalog, stdout io.Writer) error {
	users, err := cat.Users()
	if err != nil {
		return fmt.Errorf("client list: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tcreated\tkeys changed\tscopes\tkey ids\tgrants")
	for _, u := range users {
		if !u.IsClient() {
			continue
		}
		grants, err := cat.Grants(u.Name)
		if err != nil {
			return fmt.Errorf("client list: %w", err)
		}
		var kids []string
		if keys, err := backend.ParseKeySet(u.JWKS); err == nil {
			for _, k := range keys {
				kids = append(kids, k.KeyID)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Created.Format(time.RFC3339), u.Updated.Format(time.RFC3339),
			u.Scopes, strings.Join(kids, ","), grantList(grants))
	}
	return tw.Flush()
}
