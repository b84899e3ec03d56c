package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// runDatastore implements `fhirlake datastore create|list|describe|delete [NAME]`.
func runDatastore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("datastore", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := keyFileFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirlake datastore [--data DIR] create|list|describe|delete [NAME]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usagef("datastore: missing action")
	}
	action, rest := fs.Arg(0), fs.Args()[1:]
	needName := map[string]bool{"create": true, "describe": true, "delete": true}
	switch {
	case action == "list" && len(rest) != 0:
		return usagef("datastore list takes no arguments")
	case needName[action] && len(rest) != 1:
		return usagef("datastore %s needs exactly one NAME", action)
	case action != "list" && !needName[action]:
		return usagef("datastore: unknown action %q (create, list, describe, delete)", action)
	}
	l, err := openLakeWith(*data, "datastore", *keyFile, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	switch action {
	case "create":
		if err := l.createDatastore(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created data store %s in %s\n", rest[0], l.cat.DatastoreDir(rest[0]))
	case "list":
		return listDatastores(l, stdout)
	case "describe":
		return describeDatastore(ctx, l, rest[0], stdout)
	case "delete":
		if err := l.deleteDatastore(rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted data store %s\n", rest[0])
	}
	return nil
}

func listDatastores(l *lake, stdout io.Writer) error {
	list, err := l.cat.Datastores()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED")
	for _, d := range list {
		fmt.Fprintf(tw, "%s\t%s\n", d.Name, d.Created.Format("2006-01-02 15:04:05Z07:00"))
	}
	return tw.Flush()
}

func describeDatastore(ctx context.Context, l *lake, name string, stdout io.Writer) error {
	ds, err := l.cat.Datastore(name)
	if err != nil {
		return err
	}
	st, err := l.store(name)
	if err != nil {
		return err
	}
	counts, err := st.Counts(ctx)
	if err != nil {
		return err
	}
	views, err := l.cat.Views(name)
	if err != nil {
		return err
	}
	views = userViews(views)
	fmt.Fprintf(stdout, "data store %s\nfolder:  %s\ncreated: %s\n\n", ds.Name, l.cat.DatastoreDir(name), ds.Created.Format("2006-01-02 15:04:05Z07:00"))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE TYPE\tRESOURCES")
	for _, t := range sortedKeys(counts) {
		fmt.Fprintf(tw, "%s\t%d\n", t, counts[t])
	}
	fmt.Fprintln(tw, "\t")
	fmt.Fprintln(tw, "VIEW (SQL TABLE)\tRESOURCE\tROWS\tPARQUET BYTES\tUPDATED")
	for _, v := range views {
		var size int64
		for _, f := range v.Files {
			size += f.Bytes
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", v.Name, v.Resource, v.Rows, size, v.Updated.Format("2006-01-02 15:04:05Z07:00"))
	}
	return tw.Flush()
}
