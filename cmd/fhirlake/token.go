package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/auth/apitoken"
	"github.com/fhirlake/fhirlake/catalog"
)

// defaultTokenExpiry is how long a token lasts unless --expires says
// otherwise.
const defaultTokenExpiry = "90d"

// maxTokenNote bounds a token's note, which is shown in one table cell.
const maxTokenNote = 200

// tokenFlags are the flags of `fhirlake token`; each action accepts some.
type tokenFlags struct {
	data, keyFile, auditKeyFile, user, expires, note string
	set                                              map[string]bool
}

// runToken implements `fhirlake token create|list|revoke`: the API
// tokens with which scripts and services call the FHIR API as a user.
// Like `fhirlake grant`, it runs with the server stopped; a create or a
// revoke, refused ones included, is recorded in the audit log.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token", stderr)
	var f tokenFlags
	fs.StringVar(&f.data, "data", defaultDataDir(), "data folder")
	fs.StringVar(&f.keyFile, "key-file", "", keyFileUsage)
	fs.StringVar(&f.auditKeyFile, "audit-key-file", "", "key of the keyed (HMAC-SHA-256) audit chain, as given to serve")
	fs.StringVar(&f.user, "user", "", "the user the token acts as (create), or whose tokens to list")
	fs.StringVar(&f.expires, "expires", defaultTokenExpiry, "lifetime of a new token: a Go duration (12h), days (90d), or never")
	fs.StringVar(&f.note, "note", "", "what the token is for, shown by list")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirlake token create --user NAME [--expires 90d|DURATION|never] [--note TEXT]\n"+
			"       fhirlake token list [--user NAME]\n"+
			"       fhirlake token revoke ID\n\n"+
			"An API token lets a script call the FHIR API as a user, with the user's roles\n"+
			"(Authorization: Bearer TOKEN). create prints the token once, on standard output;\n"+
			"only its hash is kept. Run with the server stopped.")
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
		return usagef("token: missing action (create, list, revoke)")
	}
	if err := checkTokenArgs(pos, f); err != nil {
		return err
	}
	return runTokenAction(ctx, pos, f, stdout, stderr)
}

// checkTokenArgs rejects what an action does not take, before anything
// is opened.
func checkTokenArgs(pos []string, f tokenFlags) error {
	allowed := map[string][]string{"create": {"user", "expires", "note"}, "list": {"user"}, "revoke": nil}
	action := pos[0]
	ok, known := allowed[action]
	switch {
	case !known:
		return usagef("token: unknown action %q (create, list, revoke)", action)
	case action == "revoke" && len(pos) != 2:
		return usagef("token revoke needs exactly one ID")
	case action != "revoke" && len(pos) != 1:
		return usagef("token %s takes no arguments, got %q", action, pos[1:])
	case action == "create" && f.user == "":
		return usagef("token create: --user is required")
	case action == "revoke" && !apitoken.ValidID(tokenID(pos[1])):
		return usagef("token revoke: %q is not a token id (%d characters 0-9 a-v, as 'fhirlake token list' shows)", pos[1], apitoken.IDLen)
	}
	for _, name := range []string{"user", "expires", "note"} {
		if f.set[name] && !slices.Contains(ok, name) {
			return usagef("token %s does not take --%s", action, name)
		}
	}
	if f.user != "" && !catalog.ValidUserName(f.user) {
		return usagef("token %s: invalid user name %q", action, f.user)
	}
	if len(f.note) > maxTokenNote || strings.ContainsFunc(f.note, unicode.IsControl) {
		return usagef("token create: --note must be one line of at most %d bytes", maxTokenNote)
	}
	if _, err := parseExpiry(f.expires); err != nil {
		return err
	}
	return nil
}

// parseExpiry parses --expires: a positive Go duration, a whole number of
// days ("90d"), or "never" (0).
func parseExpiry(s string) (time.Duration, error) {
	if s == "never" {
		return 0, nil
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		if err == nil && n > 100*365 {
			err = errors.New("too long")
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, usagef("token create: --expires %q: want a positive duration such as 90d or 12h, or never", s)
	}
	return d, nil
}

// runTokenAction opens the data folder (and, to change it, the audit log)
// and runs the action of pos, checked by checkTokenArgs.
func runTokenAction(ctx context.Context, pos []string, f tokenFlags, stdout, stderr io.Writer) error {
	var key []byte
	if pos[0] != "list" {
		var err error
		if key, err = readAuditKey(f.auditKeyFile); err != nil {
			return err
		}
	}
	l, err := openLakeWith(f.data, "token", f.keyFile, io.Discard)
	if err != nil {
		return err
	}
	defer l.Close()
	if pos[0] == "list" {
		return listTokens(l.cat, f.user, time.Now(), stdout)
	}
	aopts, err := l.keys.auditOptions(filepath.Join(l.cat.Dir(), "audit"), audit.Options{Key: key})
	if err != nil {
		return err
	}
	log, err := audit.Open(ctx, filepath.Join(l.cat.Dir(), "audit"), aopts)
	if err != nil {
		return fmt.Errorf("token %s: audit log (pass --audit-key-file if the server uses one): %w", pos[0], err)
	}
	defer log.Close()
	if pos[0] == "revoke" {
		return revokeToken(ctx, l.cat, log, pos[1], stdout)
	}
	expiry, _ := parseExpiry(f.expires) // checked by checkTokenArgs
	return createToken(ctx, l.cat, log, catalog.Token{User: f.user, Note: f.note}, expiry, stdout, stderr)
}

// createToken makes a token for tok.User that lasts expiry (0: forever),
// records it in the audit log and prints its secret, alone, on stdout.
// When the log refuses the record, the token is deleted again and no
// secret is printed.
func createToken(ctx context.Context, cat *catalog.Catalog, log *audit.Log, tok catalog.Token, expiry time.Duration, stdout, stderr io.Writer) error {
	secret, id, hash, err := apitoken.New()
	if err != nil {
		return err
	}
	tok.ID, tok.Hash, tok.Created = id, hash, time.Now().UTC().Truncate(time.Millisecond)
	if expiry > 0 {
		tok.Expires = tok.Created.Add(expiry)
	}
	err = cat.PutToken(tok)
	if errors.Is(err, catalog.ErrNotFound) {
		err = &usageError{fmt.Sprintf("token create: no user %q; add it first with 'fhirlake user add %s'", tok.User, tok.User)}
	}
	if aerr := auditToken(ctx, log, cliActor, "create", tok.User, id, err); aerr != nil {
		if err == nil {
			err = cat.DeleteToken(id)
		}
		return errors.Join(fmt.Errorf("token create: the audit log refused the record, so no token was made: %w", aerr), err)
	}
	if err != nil {
		return err
	}
	expires := "never expires"
	if !tok.Expires.IsZero() {
		expires = "expires " + tok.Expires.Format(time.RFC3339)
	}
	fmt.Fprintf(stderr, "created token %s for %s (%s); copy it now, it is not shown again\n", id, tok.User, expires)
	_, err = fmt.Fprintln(stdout, secret)
	return err
}

// revokeToken deletes a token, given its id (or, for convenience, its
// secret), and records it in the audit log, a refusal included. When the
// log refuses the record, the token is put back.
func revokeToken(ctx context.Context, cat *catalog.Catalog, log *audit.Log, arg string, stdout io.Writer) error {
	id := tokenID(arg)
	tok, err := cat.Token(id)
	if err == nil {
		err = cat.DeleteToken(id)
	}
	if aerr := auditToken(ctx, log, cliActor, "revoke", tok.User, id, err); aerr != nil {
		if err == nil {
			err = cat.PutToken(tok)
		}
		return errors.Join(fmt.Errorf("token revoke: the audit log refused the record, so nothing changed: %w", aerr), err)
	}
	if err != nil {
		return fmt.Errorf("token revoke: %w", err)
	}
	fmt.Fprintf(stdout, "revoked token %s of %s\n", id, tok.User)
	return nil
}

// tokenID returns the id of arg, a token id or secret.
func tokenID(arg string) string {
	if id, ok := apitoken.Parse(arg); ok {
		return id
	}
	return arg
}

// auditToken appends the record of a token create or revoke (action) of
// user's token id, refused if err is set. The token id is in the
// outcome's message, as no field of audit.Event names a token.
func auditToken(ctx context.Context, log *audit.Log, by auditBy, action, user, id string, err error) error {
	out := audit.Outcome{Result: audit.Success, Message: "token " + id}
	if err != nil {
		out = audit.Outcome{Result: audit.MinorFailure, Message: "token " + id + ": " + err.Error()}
	}
	_, aerr := log.Append(ctx, audit.Event{Kind: audit.KindToken, Actor: by.actor, Protocol: by.protocol, Source: by.source,
		Action: action, Subject: user, Outcome: out})
	return aerr
}

// listTokens prints the tokens of user ("" for all) as a table; never
// their hashes.
func listTokens(cat *catalog.Catalog, user string, now time.Time, stdout io.Writer) error {
	toks, err := cat.Tokens(user)
	if err != nil {
		return fmt.Errorf("token list: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tuser\tcreated\texpires\tnote")
	for _, t := range toks {
		expires := t.Expires.Format(time.RFC3339)
		switch {
		case t.Expires.IsZero():
			expires = "never"
		case t.Expired(now):
			expires = "expired"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.User, t.Created.Format(time.RFC3339), expires, t.Note)
	}
	return tw.Flush()
}
