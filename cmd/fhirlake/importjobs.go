package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/fhir"
	"github.com/fhirlake/fhirlake/jobs"
)

// pollEvery is how often `fhirlake import` asks the server about its job.
const pollEvery = 500 * time.Millisecond

// jobClient talks to the import job routes of a running server.
type jobClient struct {
	base, ds string
	// token is the server's local token (see localTokenFile), "" when
	// the server trusts local requests.
	token string
}

// errNoJobRoutes means the server predates import jobs.
var errNoJobRoutes = errors.New("import: the server does not serve import jobs")

// do sends a request to the data store's imports and decodes a JSON
// answer into out (when not nil). A refusal becomes an error naming the
// status and the OperationOutcome's diagnostics.
func (c jobClient) do(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/datastores/"+c.ds+"/imports"+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("import: the server at %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("import: the server at %s: %w", c.base, err)
	}
	if resp.StatusCode >= 300 {
		var oo fhir.OperationOutcome
		if json.Unmarshal(b, &oo) == nil && len(oo.Issue) > 0 {
			if resp.StatusCode == http.StatusNotFound && strings.Contains(oo.Issue[0].Diagnostics, "no FHIR endpoint") {
				return errNoJobRoutes
			}
			return fmt.Errorf("import: the server refused it (%s): %s", resp.Status, oo.Issue[0].Diagnostics)
		}
		return fmt.Errorf("import: the server refused it (%s): %s", resp.Status, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = b
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("import: the server's answer: %w", err)
	}
	return nil
}

// importViaJobs hands an import to the server that holds the data folder
// as a job, follows it with a progress display until it ends, and prints
// the result as a local import would. A server without import jobs gets
// the synchronous $import instead (which cannot take a mapping). spec's
// mapping file is sent inline (see importJobRequest).
func importViaJobs(ctx context.Context, base, token, ds string, paths []string, spec jobs.Job, stdout, stderr io.Writer) error {
	abs, err := absInputs(paths)
	if err != nil {
		return err
	}
	req, err := importJobRequest(abs, spec)
	if err != nil {
		return err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	c := jobClient{base: base, ds: ds, token: token}
	var j jobs.Job
	err = c.do(ctx, http.MethodPost, "", body, &j)
	if errors.Is(err, errNoJobRoutes) && (spec.Mapping != "" || !spec.Normalize) {
		return fmt.Errorf("import: the server at %s runs no import jobs, so it cannot take --mapping or --no-normalize", base)
	}
	if errors.Is(err, errNoJobRoutes) {
		return importViaServer(ctx, base, token, ds, paths, stdout, stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "the data folder is held by a running server; handing the import to it at %s (job %s)\n", base, j.ID)
	if j.CreatedDatastore {
		fmt.Fprintf(stdout, "created data store %s\n", ds)
	}
	j, err = c.follow(ctx, j, newProgress(stderr))
	if err != nil {
		return err
	}
	if j.Progress.Rejected > 0 {
		if err := c.printRejects(ctx, j, stderr); err != nil {
			return err
		}
	}
	printJobResult(stdout, stderr, j)
	return jobExit(j)
}

// follow polls a job until it ends, showing its progress. If ctx ends
// first the job goes on in the server.
func (c jobClient) follow(ctx context.Context, j jobs.Job, disp progressDisplay) (jobs.Job, error) {
	defer disp.done()
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for !j.State.Final() {
		select {
		case <-ctx.Done():
			return j, fmt.Errorf("import: stopped following job %s, which goes on in the server (see `fhirlake import status|cancel %s`): %w",
				j.ID, j.ID, ctx.Err())
		case <-t.C:
		}
		if err := c.do(ctx, http.MethodGet, "/"+j.ID, nil, &j); err != nil {
			return j, err
		}
		disp.update(j)
	}
	return j, nil
}

// printRejects prints the first lines of a job's error report as
// "rejected: file:line: reason".
func (c jobClient) printRejects(ctx context.Context, j jobs.Job, w io.Writer) error {
	var report []byte
	if err := c.do(ctx, http.MethodGet, "/"+j.ID+"/errors", nil, &report); err != nil {
		return err
	}
	return printReport(bytes.NewReader(report), w)
}

// printReport prints the first maxListedRejects lines of an error report
// as "rejected: file:line: reason", and how many more there are.
func printReport(r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	n := 0
	for ; sc.Scan(); n++ {
		if n >= maxListedRejects {
			continue
		}
		var oo struct {
			Issue []struct {
				Diagnostics string   `json:"diagnostics"`
				Location    []string `json:"location"`
			} `json:"issue"`
		}
		if json.Unmarshal(sc.Bytes(), &oo) != nil || len(oo.Issue) == 0 || len(oo.Issue[0].Location) == 0 {
			continue
		}
		fmt.Fprintf(w, "rejected: %s: %s\n", oo.Issue[0].Location[0], oo.Issue[0].Diagnostics)
	}
	if n > maxListedRejects {
		fmt.Fprintf(w, "rejected: %d more records (see the error report)\n", n-maxListedRejects)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("import: error report: %w", err)
	}
	return nil
}

// runImportJobs implements `fhirlake import list|status|cancel`.
func runImportJobs(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import "+verb, stderr)
	data := fs.String("data", defaultDataDir(), "data folder")
	keyFile := keyFileFlag(fs)
	dsName := fs.String("datastore", "demo", "data store whose imports to show")
	fs.Usage = func() {
		fmt.Fprint(stderr, importUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	want := 1
	if verb == "list" {
		want = 0
	}
	if fs.NArg() != want {
		fs.Usage()
		return usagef("import %s: want %d argument(s), got %d", verb, want, fs.NArg())
	}
	src, closeFn, err := openJobSource(*data, *dsName, *keyFile)
	if err != nil {
		return err
	}
	defer closeFn()
	switch verb {
	case "list":
		list, err := src.list(ctx)
		printJobList(stdout, list) // what could be read, even with an error
		return err
	case "status":
		j, err := src.get(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		printJobStatus(stdout, j)
		return nil
	}
	j, err := src.cancel(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "import %s: %s\n", j.ID, cancelNote(j))
	return nil
}

func cancelNote(j jobs.Job) string {
	if j.State.Final() {
		return string(j.State)
	}
	return "cancelling (it stops at its next batch; what it committed stays)"
}

// jobSource reads the jobs of a data store: from the running server, or
// from the job files when none runs.
type jobSource struct {
	client *jobClient
	dir    string // the data store's folder, without a server
	// sealKey opens the sealed job files of dir.
	sealKey []byte
}

// openJobSource finds where the jobs of ds are: the server holding the
// data folder, or the folder itself.
func openJobSource(data, ds, keyFile string) (jobSource, func(), error) {
	l, err := openLakeWith(data, "import", keyFile, io.Discard)
	var locked *catalog.LockedError
	switch {
	case errors.As(err, &locked) && locked.Holder.HTTP != "":
		return jobSource{client: &jobClient{base: locked.Holder.HTTP, ds: ds, token: readLocalToken(data)}}, func() {}, nil
	case errors.As(err, &locked):
		// Another command (an import running here) holds the folder;
		// the job files can still be read, with the data store's key.
		keys, err := openKeys(data, keyFile, io.Discard)
		if err != nil {
			return jobSource{}, nil, err
		}
		key, err := keys.jobsKey(ds)
		if err != nil {
			return jobSource{}, nil, err
		}
		return jobSource{dir: filepath.Join(data, "stores", ds), sealKey: key}, func() {}, nil
	case err != nil:
		return jobSource{}, nil, err
	}
	key, err := l.keys.jobsKey(ds)
	if err != nil {
		l.Close()
		return jobSource{}, nil, err
	}
	return jobSource{dir: l.cat.DatastoreDir(ds), sealKey: key}, func() { l.Close() }, nil
}

func (s jobSource) list(ctx context.Context) ([]jobs.Job, error) {
	if s.client != nil {
		var out api.ImportJobList
		err := s.client.do(ctx, http.MethodGet, "", nil, &out)
		return out.Jobs, err
	}
	return jobs.Folder{Dir: s.dir, SealKey: s.sealKey}.List()
}

func (s jobSource) get(ctx context.Context, id string) (jobs.Job, error) {
	if s.client != nil {
		var j jobs.Job
		err := s.client.do(ctx, http.MethodGet, "/"+id, nil, &j)
		return j, err
	}
	j, err := jobs.Folder{Dir: s.dir, SealKey: s.sealKey}.Get(id)
	return j.Rates(time.Now()), err
}

func (s jobSource) cancel(ctx context.Context, id string) (jobs.Job, error) {
	if s.client != nil {
		var j jobs.Job
		err := s.client.do(ctx, http.MethodDelete, "/"+id, nil, &j)
		return j, err
	}
	j, err := jobs.Folder{Dir: s.dir, SealKey: s.sealKey}.Get(id)
	if err != nil {
		return j, err
	}
	return j, fmt.Errorf("import: job %s is %s and no server runs it: there is nothing to cancel", id, j.State)
}

// printJobList prints one line per job.
func printJobList(w io.Writer, list []jobs.Job) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tCREATED\tRESOURCES\tREJECTED\tINPUTS")
	for _, j := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", j.ID, j.State, j.Created.Local().Format(time.DateTime),
			j.Progress.Records, j.Progress.Rejected, strings.Join(j.Inputs, " "))
	}
	tw.Flush()
}

// printJobStatus prints a job in detail.
func printJobStatus(w io.Writer, j jobs.Job) {
	p := j.Progress
	fmt.Fprintf(w, "job:        %s\n", j.ID)
	fmt.Fprintf(w, "datastore:  %s\n", j.Datastore)
	fmt.Fprintf(w, "state:      %s\n", j.State)
	fmt.Fprintf(w, "inputs:     %s\n", strings.Join(j.Inputs, " "))
	fmt.Fprintf(w, "created:    %s\n", j.Created.Local().Format(time.DateTime))
	if !j.Started.IsZero() {
		fmt.Fprintf(w, "started:    %s (run %d)\n", j.Started.Local().Format(time.DateTime), j.Runs)
	}
	if !j.Finished.IsZero() {
		fmt.Fprintf(w, "finished:   %s\n", j.Finished.Local().Format(time.DateTime))
	}
	fmt.Fprintf(w, "read:       %d of %d files, %.1f of %.1f MB\n", p.Files, p.FilesTotal, float64(p.BytesRead)/1e6, float64(p.BytesTotal)/1e6)
	fmt.Fprintf(w, "resources:  %d (%.0f/s), rejected: %d\n", p.Records, j.RecordsPerSecond, p.Rejected)
	if j.ETASeconds > 0 {
		fmt.Fprintf(w, "eta:        %s\n", (time.Duration(j.ETASeconds) * time.Second).String())
	}
	if j.Error != "" {
		fmt.Fprintf(w, "error:      %s\n", j.Error)
	}
	fmt.Fprintf(w, "errors:     %s\n", j.ErrorReport)
	if line := stageLine(j.StageSeconds); line != "" {
		fmt.Fprintln(w, line)
	}
	if len(p.ByType) > 0 {
		sum := jobSummary(j)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "resource type\tread\tcreated\tupdated\tunchanged\t")
		for _, t := range sum.Types() {
			c := sum.ByType[t]
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", t, c.Total(), c.Created, c.Updated, c.Unchanged)
		}
		tw.Flush()
	}
}
