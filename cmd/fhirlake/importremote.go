package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/fhirlake/fhirlake/ingest/remote"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/ingest"
)

// importViaServer hands an import to the server that holds the data
// folder: it posts the absolute paths to the server's $import endpoint,
// which reads the files itself, and prints the result as a local import
// would. The server must be able to read the paths (it runs on this
// machine, as the lock file it advertised in says).
func importViaServer(ctx context.Context, base, token, ds string, paths []string, stdout, stderr io.Writer) error {
	abs, err := absInputs(paths)
	if err != nil {
		return err
	}
	body, err := api.ImportRequest(abs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "the data folder is held by a running server; handing the import to it at %s\n", base)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/datastores/"+ds+"/$import", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("import: the server at %s: %w", base, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("import: the server at %s: %w", base, err)
	}
	if resp.StatusCode != http.StatusOK {
		var oo fhir.OperationOutcome
		if json.Unmarshal(out, &oo) == nil && len(oo.Issue) > 0 {
			return fmt.Errorf("import: the server refused it (%s): %s", resp.Status, oo.Issue[0].Diagnostics)
		}
		return fmt.Errorf("import: the server refused it (%s): %s", resp.Status, bytes.TrimSpace(out))
	}
	var res api.ImportResult
	if err := json.Unmarshal(out, &res); err != nil {
		return fmt.Errorf("import: the server's answer: %w", err)
	}
	if res.Created {
		fmt.Fprintf(stdout, "created data store %s\n", ds)
	}
	for _, r := range res.Rejects {
		fmt.Fprintln(stderr, "rejected:", r)
	}
	if n := res.Rejected - len(res.Rejects); n > 0 {
		fmt.Fprintf(stderr, "rejected: %d more records (the server lists the first %d)\n", n, len(res.Rejects))
	}
	for _, s := range res.Skipped {
		fmt.Fprintln(stderr, "skipped (not FHIR NDJSON or JSON):", s)
	}
	var reports []ingest.ViewReport
	for _, v := range res.Views {
		reports = append(reports, ingest.ViewReport{View: v.View, Rows: v.Rows, Skipped: v.Skipped, Errors: v.Errors})
	}
	printViewReports(stderr, reports)
	sum := ingest.Summary{Files: res.Files, Skipped: res.Skipped, Bytes: res.Bytes, Rejected: res.Rejected,
		ByType: map[string]*ingest.TypeCounts{}, Elapsed: time.Duration(res.ElapsedMS * float64(time.Millisecond))}
	for t, c := range res.ByType {
		sum.ByType[t] = &ingest.TypeCounts{Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged}
	}
	printImportSummary(stdout, sum)
	return nil
}

// absInputs makes the local paths absolute, for a server with another
// working directory; s3:// URIs stay as they are.
func absInputs(paths []string) ([]string, error) {
	abs := make([]string, len(paths))
	for i, p := range paths {
		if remote.IsS3(p) {
			abs[i] = p
			continue
		}
		a, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		abs[i] = a
	}
	return abs, nil
}
