package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/ingest/linkage"
	"github.com/fhirlake/fhirlake/store"
)

const linkUsage = `Usage: fhirlake link [--data DIR] [--datastore NAME] [--upper X] [--lower Y] [--dry-run]

Finds the Patients of a data store that likely describe the same person
(record linkage: name, birth date, sex, address, phone and identifiers,
scored in bits with a Fellegi-Sunter model; see ingest/linkage) and links
each pair scoring at least --upper with Patient.link entries of type
seealso in both directions, the score in an extension. Pairs between
--lower and --upper are listed as possible matches for review and not
linked. Records are never merged; running it again adds nothing new. The
links are listed in the patient_link view, which is refreshed (and
created when the data store predates it). --dry-run only prints what
would be linked.
`

// linkWriteBatch is the number of Patients written per store transaction.
const linkWriteBatch = 1000

// runLink implements `fhirlake link`.
func runLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("link", stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := keyFileFlag(fs)
	dsName := fs.String("datastore", "demo", "data store")
	upper := fs.Float64("upper", linkage.DefaultUpper, "score (bits) from which a pair is linked")
	lower := fs.Float64("lower", linkage.DefaultLower, "score (bits) from which a pair below --upper is listed as possible")
	dryRun := fs.Bool("dry-run", false, "print the links and possible matches without writing anything")
	fs.Usage = func() {
		fmt.Fprint(stderr, linkUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("link: unexpected argument %q", fs.Arg(0))
	case *lower > *upper:
		return usagef("link: --lower %g is above --upper %g", *lower, *upper)
	}
	cfg := linkage.DefaultConfig()
	cfg.Upper, cfg.Lower = *upper, *lower
	l, err := openLakeWith(*data, "link", *keyFile, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	if _, err := l.cat.Datastore(*dsName); err != nil {
		return err
	}
	st, err := l.store(*dsName)
	if err != nil {
		return err
	}
	if *dryRun {
		rep, _, err := planLinks(ctx, st, cfg)
		if err != nil {
			return err
		}
		printLinkReport(stdout, rep, true)
		return nil
	}
	rep, err := linkPatients(ctx, st, cfg)
	if err != nil {
		return err
	}
	printLinkReport(stdout, rep, false)
	if err := ensureLinkView(ctx, l, *dsName, stderr); err != nil {
		return err
	}
	return refreshViews(ctx, l, *dsName, st, stderr)
}

// linkPatients runs record linkage over the Patients of st and writes
// the Patients given new links back to it (see linkage.Apply), in
// batches of linkWriteBatch. It does not refresh the views.
func linkPatients(ctx context.Context, st *store.Store, cfg linkage.Config) (linkage.Report, error) {
	rep, updates, err := planLinks(ctx, st, cfg)
	if err != nil {
		return rep, err
	}
	for batch := range slices.Chunk(updates, linkWriteBatch) {
		if _, err := st.Put(ctx, batch); err != nil {
			return rep, fmt.Errorf("link: write Patients: %w", err)
		}
	}
	return rep, nil
}

// planLinks reads every Patient of st, finds the matches, and returns the
// report with the Patients that the links change, without writing them.
func planLinks(ctx context.Context, st *store.Store, cfg linkage.Config) (linkage.Report, []store.Input, error) {
	var rep linkage.Report
	var patients []linkage.Patient
	err := st.Scan(ctx, "Patient", func(r store.Resource) error {
		p, err := linkage.FromFHIR(r.Body)
		if err != nil {
			return fmt.Errorf("link: Patient/%s: %w", r.ID, err)
		}
		patients = append(patients, p)
		return nil
	})
	if err != nil {
		return rep, nil, err
	}
	rep.Patients = len(patients)
	matches, err := linkage.Find(ctx, patients, cfg)
	if err != nil {
		return rep, nil, fmt.Errorf("link: %w", err)
	}
	rep.Links, rep.Possibles = linkage.Split(matches)
	byPatient := linkage.LinksByPatient(rep.Links)
	ids := make([]string, 0, len(byPatient))
	for id := range byPatient {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var updates []store.Input
	for _, id := range ids {
		r, err := st.Read(ctx, "Patient", id)
		if err != nil {
			return rep, nil, fmt.Errorf("link: %w", err)
		}
		body, changed, err := linkage.Apply(r.Body, byPatient[id])
		if err != nil {
			return rep, nil, fmt.Errorf("link: Patient/%s: %w", id, err)
		}
		if changed {
			updates = append(updates, store.Input{Type: "Patient", ID: id, Body: body})
			rep.Updated = append(rep.Updated, id)
		}
	}
	return rep, updates, nil
}

// ensureLinkView adds the default patient_link view to a data store
// created before it shipped.
func ensureLinkView(ctx context.Context, l *lake, ds string, stderr io.Writer) error {
	_, err := l.cat.View(ds, "patient_link")
	if !errors.Is(err, catalog.ErrNotFound) {
		return err
	}
	for _, vd := range flatten.DefaultViews() {
		if vd.Name == "patient_link" {
			if _, err := newViewStore(l, nil).put(ctx, ds, vd.Name, vd.Raw, false); err != nil {
				return fmt.Errorf("link: add view patient_link: %w", err)
			}
			fmt.Fprintf(stderr, "added view %s.patient_link\n", ds)
		}
	}
	return nil
}

// printLinkReport prints each link and possible match with its score,
// then a summary line.
func printLinkReport(w io.Writer, rep linkage.Report, dryRun bool) {
	for _, m := range rep.Links {
		fmt.Fprintf(w, "link      Patient/%s Patient/%s %7.2f\n", m.A, m.B, m.Score)
	}
	for _, m := range rep.Possibles {
		fmt.Fprintf(w, "possible  Patient/%s Patient/%s %7.2f\n", m.A, m.B, m.Score)
	}
	verb := "updated"
	if dryRun {
		verb = "would update (dry run)"
	}
	fmt.Fprintf(w, "%d patients compared: %d links, %d possible matches; %s %d patients\n",
		rep.Patients, len(rep.Links), len(rep.Possibles), verb, len(rep.Updated))
}
