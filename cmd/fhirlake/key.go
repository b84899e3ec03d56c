package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/keyring"
)

// runKey implements `fhirlake key status|rotate|new`: the master key that
// wraps each data store's data key (envelope encryption; package keyring).
//
//	fhirlake key status [--data DIR] [--key-file F]
//	fhirlake key rotate --new-key-file F [--data DIR] [--key-file F]
//	fhirlake key new --out F
//
// Like `fhirlake user`, status and rotate run with the server stopped.
// rotate re-wraps every data key under the new master key without
// rewriting any data; the old key file may then be destroyed. Each
// rotation, refused ones included, is recorded in the audit log.
func runKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("key", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := fs.String("key-file", "", "master key file (default: FHIRLAKE_MASTER_KEY, then the key file in the user's configuration folder)")
	newKeyFile := fs.String("new-key-file", "", "rotate: the new master key file (make one with fhirlake key new)")
	out := fs.String("out", "", "new: where to write the new master key file (mode 0600, outside any data folder)")
	auditKeyFile := fs.String("audit-key-file", "", "key of the keyed (HMAC-SHA-256) audit chain, as given to serve")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: fhirlake key status|rotate|new [flags]\n\n"+
			"  status   where the master key comes from, its fingerprint, the data keys it wraps\n"+
			"  rotate   re-wrap every data key under --new-key-file (no data is rewritten)\n"+
			"  new      write a fresh master key file to --out\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usagef("key needs one action: status, rotate or new")
	}
	switch pos[0] {
	case "new":
		if *out == "" {
			return usagef("key new: --out FILE is required")
		}
		if d, ok := enclosingDataFolder(*out); ok {
			return usagef("key new: %s is inside the data folder %s: a master key must never be stored next to the data it protects", *out, d)
		}
		k, err := keyring.GenerateMasterKey()
		if err != nil {
			return err
		}
		if err := keyring.CreateKeyFile(*out, k); err != nil {
			return fmt.Errorf("key new: %w", err)
		}
		fmt.Fprintf(stdout, "wrote a new master key to %s (fingerprint %s); keep it outside the data folder and back it up\n", *out, k.Fingerprint())
		return nil
	case "status", "rotate":
	default:
		fs.Usage()
		return usagef("key: unknown action %q (status, rotate or new)", pos[0])
	}
	if pos[0] == "rotate" && *newKeyFile == "" {
		return usagef("key rotate: --new-key-file FILE is required (make one with: fhirlake key new --out FILE)")
	}
	l, err := openLakeWith(*data, "key", *keyFile, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	kr, src := l.keys.kr, l.keys.src
	if pos[0] == "status" {
		where := src.Path
		if where == "" {
			where = "FHIRLAKE_MASTER_KEY"
		}
		fmt.Fprintf(stdout, "master key: %s (fingerprint %s)\n", where, src.Fingerprint)
		ds := kr.Datastores()
		if len(ds) == 0 {
			fmt.Fprintln(stdout, "data keys:  none yet")
		} else {
			fmt.Fprintf(stdout, "data keys:  %s\n", strings.Join(ds, ", "))
		}
		return nil
	}
	akey, err := readAuditKey(*auditKeyFile)
	if err != nil {
		return err
	}
	log, err := audit.Open(ctx, filepath.Join(l.cat.Dir(), "audit"), audit.Options{Key: akey})
	if err != nil {
		return fmt.Errorf("key rotate: audit log (pass --audit-key-file if the server uses one): %w", err)
	}
	defer log.Close()
	newP, newSrc, err := keyring.Resolve(keyring.Options{KeyFile: *newKeyFile, DataDir: l.cat.Dir()})
	if err == nil && newSrc.Fingerprint == src.Fingerprint {
		err = usagef("key rotate: the new key is the current one (fingerprint %s)", src.Fingerprint)
	}
	if err == nil {
		err = kr.Rewrap(ctx, newP)
	}
	outcome := audit.Outcome{Result: audit.Success, Message: fmt.Sprintf("master key %s -> %s", src.Fingerprint, newSrc.Fingerprint)}
	if err != nil {
		outcome = audit.Outcome{Result: audit.MinorFailure, Message: err.Error()}
	}
	if _, aerr := log.Append(ctx, audit.Event{Kind: audit.KindKey, Actor: cliActor.actor, Protocol: cliActor.protocol,
		Action: "rotate", Outcome: outcome}); aerr != nil {
		return errors.Join(fmt.Errorf("key rotate: the audit log refused the record: %w", aerr), err)
	}
	if err != nil {
		return fmt.Errorf("key rotate: %w", err)
	}
	fmt.Fprintf(stdout, "re-wrapped the data keys of %d data stores under master key %s; use --key-file %s from now on\n",
		len(kr.Datastores()), newSrc.Fingerprint, *newKeyFile)
	return nil
}

// enclosingDataFolder returns the data folder (a folder holding a
// catalog.db) that path lies in, if any.
func enclosingDataFolder(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "catalog.db")); err == nil {
			return d, true
		}
		if parent := filepath.Dir(d); parent == d {
			return "", false
		}
	}
}
