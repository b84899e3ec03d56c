package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/fhirlake/fhirlake/flatten"
)

// viewUsage is the synopsis of the view command.
const viewUsage = `Usage: fhirlake view [--data DIR] [--datastore NAME] create [--replace] FILE.json|-
       fhirlake view [--data DIR] [--datastore NAME] list
       fhirlake view [--data DIR] [--datastore NAME] show|drop NAME
       fhirlake view run --out FILE.parquet VIEW.json PATH...

create registers a SQL-on-FHIR v2 ViewDefinition (FILE, or - for stdin)
as the table named by its "name" and materializes it; --replace replaces
an existing view. The shipped default views can be replaced and dropped
like any other. run evaluates a ViewDefinition over FHIR files (NDJSON,
gzip, Bundles, folders) without a data store and writes the rows to one
Parquet file, in memory that does not grow with the input.`

// runView implements `fhirlake view create|list|show|drop`.
func runView(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("view", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := keyFileFlag(fs)
	dsName := fs.String("datastore", "demo", "data store")
	replace := fs.Bool("replace", false, "create: replace an existing view of that name")
	out := fs.String("out", "", "run: the Parquet file to write")
	fs.Usage = func() {
		fmt.Fprintln(stderr, viewUsage)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return usagef("view: missing action")
	}
	action, rest := pos[0], pos[1:]
	if action == "run" {
		return runViewFiles(ctx, rest, *out, stdout, stderr)
	}
	switch {
	case action == "list" && len(rest) != 0:
		return usagef("view list takes no arguments")
	case action == "create" && len(rest) != 1:
		return usagef("view create needs exactly one FILE (or - for stdin)")
	case (action == "show" || action == "drop") && len(rest) != 1:
		return usagef("view %s needs exactly one NAME", action)
	case action != "list" && action != "create" && action != "show" && action != "drop":
		return usagef("view: unknown action %q (create, list, show, drop, run)", action)
	}
	var def []byte
	if action == "create" {
		var err error
		if def, err = readDefinition(rest[0]); err != nil {
			return err
		}
	}
	l, err := openLakeWith(*data, "view", *keyFile, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	if _, err := l.cat.Datastore(*dsName); err != nil {
		return err
	}
	vs := newViewStore(l, nil)
	switch action {
	case "create":
		return createView(ctx, vs, *dsName, def, *replace, stdout, stderr)
	case "list":
		return listViews(l, *dsName, stdout)
	case "show":
		return showView(l, *dsName, rest[0], stdout)
	default:
		return dropView(ctx, vs, *dsName, rest[0], stdout)
	}
}

// parseInterspersed parses flags anywhere among the arguments (`view
// create x.json --replace` as well as `view --replace create x.json`) and
// returns the others in order. "-" (stdin) is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// readDefinition reads a ViewDefinition file, or stdin for "-".
func readDefinition(path string) ([]byte, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("view create: %w", err)
	}
	return b, nil
}

func createView(ctx context.Context, vs *viewStore, ds string, def []byte, replace bool, stdout, stderr io.Writer) error {
	head, err := flatten.ParseView(def) // its errors point into the file
	if err != nil {
		return fmt.Errorf("view create: %w", err)
	}
	if head.Name == "" {
		return fmt.Errorf(`view create: the ViewDefinition has no "name"; it names the SQL table`)
	}
	ch, err := vs.put(ctx, ds, head.Name, def, replace)
	if err != nil {
		return fmt.Errorf("view create: %w", err)
	}
	var rows int64
	for _, r := range ch.reports {
		rows += r.Rows
		if r.Skipped > 0 {
			fmt.Fprintf(stderr, "view %s: %d resources could not be flattened and are left out of the table, e.g.:\n  %s\n",
				r.View, r.Skipped, strings.Join(r.Errors, "\n  "))
		}
	}
	verb := "created"
	if !ch.created {
		verb = "replaced"
	}
	fmt.Fprintf(stdout, "%s view %s in data store %s: %d rows from %s resources\n", verb, head.Name, ds, rows, ch.resource)
	if ch.wasDefault {
		fmt.Fprintf(stdout, "%s was a shipped default view; it is now a custom view\n", head.Name)
	}
	return nil
}

func listViews(l *lake, ds string, stdout io.Writer) error {
	list, err := l.cat.Views(ds)
	if err != nil {
		return err
	}
	list = userViews(list)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRESOURCE\tROWS\tKIND")
	for _, v := range list {
		kind := "custom"
		if v.Default {
			kind = "default"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", v.Name, v.Resource, v.Rows, kind)
	}
	return tw.Flush()
}

func showView(l *lake, ds, name string, stdout io.Writer) error {
	v, err := l.cat.View(ds, name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, v.Definition, "", "  "); err != nil {
		return fmt.Errorf("view show: stored definition of %s: %w", name, err)
	}
	buf.WriteByte('\n')
	_, err = stdout.Write(buf.Bytes())
	return err
}

func dropView(ctx context.Context, vs *viewStore, ds, name string, stdout io.Writer) error {
	old, err := vs.drop(ctx, ds, name)
	if err != nil {
		return fmt.Errorf("view drop: %w", err)
	}
	fmt.Fprintf(stdout, "dropped view %s from data store %s (table %s is gone)\n", name, ds, name)
	if old.Default {
		fmt.Fprintf(stdout, "%s was a shipped default view; to bring it back, create it again from its ViewDefinition (flatten/views/%s.json in the source)\n", name, name)
	}
	return nil
}
