package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/ingest"
)

// maxReportedErrors bounds the rejected records view run prints.
const maxReportedErrors = 20

// runViewFiles implements `fhirlake view run --out FILE VIEW.json PATH...`:
// the ViewDefinition is evaluated over the files, streaming, and the rows
// go to one Parquet file, written to a temporary name and renamed when
// complete.
func runViewFiles(ctx context.Context, args []string, out string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		return usagef("view run needs a VIEW.json and at least one PATH")
	}
	if out == "" {
		return usagef("view run needs --out FILE.parquet")
	}
	def, err := readDefinition(args[0])
	if err != nil {
		return err
	}
	vd, err := flatten.ParseView(def)
	if err != nil {
		return err
	}
	v, err := flatten.Compile(vd)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return fmt.Errorf("view run: %w", err)
	}
	defer os.Remove(tmp.Name())
	start := time.Now()
	reported := 0
	st, err := ingest.FlattenFiles(ctx, v, args[1:], tmp, func(e error) {
		if reported < maxReportedErrors {
			fmt.Fprintln(stderr, "rejected:", e)
		}
		reported++
	})
	if reported > maxReportedErrors {
		fmt.Fprintf(stderr, "rejected: %d more\n", reported-maxReportedErrors)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("view run: %s", out), err)
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "view %s: %d rows from %d %s resources (%d resources, %.1f MB in %d files read, %d rejected, %d not flattened) in %.2fs: %s\n",
		v.Name(), st.Rows, st.Matched, v.Resource(), st.Resources, float64(st.Bytes)/1e6, st.Files, st.Rejected, st.Skipped, secs, out)
	return nil
}
