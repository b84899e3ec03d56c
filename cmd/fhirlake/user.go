package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/fhirlake/fhirlake/access"
	"github.com/fhirlake/fhirlake/auth"
	"github.com/fhirlake/fhirlake/catalog"
)

// runUser implements `fhirlake user [--data DIR] add|list|passwd|drop [NAME]`.
// Users and their SCRAM-SHA-256 verifiers live in the catalog; the server
// must be stopped to change them (it holds the data folder).
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := keyFileFlag(fs)
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of prompting")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirlake user [--data DIR] [--password-stdin] add|passwd|drop NAME\n       fhirlake user [--data DIR] list\n\nUsers connect over the Postgres wire protocol with SCRAM-SHA-256 passwords.\nOnce a user exists, the server requires a password from every client.\nThe first user added is granted admin on every data store; grant roles to\nthe others with 'fhirlake grant'.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usagef("user: missing action")
	}
	action, rest := fs.Arg(0), fs.Args()[1:]
	switch {
	case action == "list" && len(rest) != 0:
		return usagef("user list takes no arguments")
	case (action == "add" || action == "passwd" || action == "drop") && len(rest) != 1:
		return usagef("user %s needs exactly one NAME", action)
	case action != "list" && action != "add" && action != "passwd" && action != "drop":
		return usagef("user: unknown action %q (add, list, passwd, drop)", action)
	}
	l, err := openLakeWith(*data, "user", *keyFile, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	switch action {
	case "list":
		users, err := l.cat.Users()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "name\tcreated\tpassword changed\tgrants")
		for _, u := range users {
			grants, err := l.cat.Grants(u.Name)
			if err != nil {
				return err
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Created.Format(time.RFC3339), u.Updated.Format(time.RFC3339), grantList(grants))
		}
		return tw.Flush()
	case "drop":
		if err := l.cat.DeleteUser(rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "dropped user %s\n", rest[0])
		return nil
	}
	name := rest[0]
	if !catalog.ValidUserName(name) {
		return usagef("user: invalid name %q: a letter, then letters, digits and _ . @ - (at most 63)", name)
	}
	first := false
	if action == "add" {
		users, err := l.cat.Users()
		if err != nil {
			return err
		}
		first = len(users) == 0
		if _, err := l.cat.User(name); err == nil {
			return fmt.Errorf("user %s: %w (use 'fhirlake user passwd' to change the password)", name, catalog.ErrExists)
		}
	} else if _, err := l.cat.User(name); err != nil {
		return err
	}
	password, err := readPassword(name, *fromStdin, stderr)
	if err != nil {
		return err
	}
	v, err := auth.NewVerifier(password)
	if err != nil {
		return err
	}
	if err := l.cat.PutUser(name, v.String(), action == "passwd"); err != nil {
		return err
	}
	switch {
	case first:
		// The first user ends the password-less quickstart; making it
		// the administrator keeps the access the quickstart had.
		if err := l.cat.Grant(name, access.AllDatastores, access.Admin); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added user %s, the first user: granted admin on every data store (%s)\n", name, access.AllDatastores)
	case action == "add":
		fmt.Fprintf(stdout, "added user %s; it has no role yet: fhirlake grant ROLE --datastore DS %s\n", name, name)
	default:
		fmt.Fprintf(stdout, "changed the password of %s\n", name)
	}
	return nil
}

// readPassword reads a new password: the first line of standard input
// with --password-stdin, else twice from the terminal without echo.
func readPassword(user string, fromStdin bool, stderr io.Writer) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("user: read password: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", usagef("user: empty password on standard input")
		}
		return pw, nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", usagef("user: standard input is not a terminal; use --password-stdin")
	}
	fmt.Fprintf(stderr, "password for %s: ", user)
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("user: read password: %w", err)
	}
	fmt.Fprint(stderr, "again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("user: read password: %w", err)
	}
	if string(first) != string(second) {
		return "", usagef("user: the passwords differ")
	}
	if len(first) == 0 {
		return "", usagef("user: empty password")
	}
	return string(first), nil
}
