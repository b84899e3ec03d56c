package ingest

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/fhirlake/fhirlake/ingest/remote"
)

// input is one local file or S3 object to read.
type input struct {
	name string         // local path or "s3://bucket/key"
	size int64          // as stored
	obj  *remote.Object // nil for a local file
	csv  bool           // a CSV extract, read through Options.CSV
}

// inputs is what the paths given to Import expand to: local files first
// (sorted), then S3 objects (sorted by URI).
type inputs struct {
	list    []input
	skipped []string
	s3      *remote.S3 // nil when there is no s3:// path
	csv     *csvReader // reads the CSV inputs; set by Import
}

// expandInputs lists the inputs named by paths: local files, folders and
// globs through [Walk], and s3:// URIs by listing their bucket, several at
// a time. Inside an S3 "folder" the rules of a local folder apply.
func expandInputs(ctx context.Context, paths []string) (*inputs, error) {
	var local, uris []string
	for _, p := range paths {
		if remote.IsS3(p) {
			uris = append(uris, p)
		} else {
			local = append(local, p)
		}
	}
	files, skipped, err := Walk(local)
	if err != nil {
		return nil, err
	}
	csvFiles, skipped := takeCSV(skipped)
	ins := &inputs{skipped: skipped}
	for _, f := range files {
		ins.list = append(ins.list, localInput(f, false))
	}
	for _, f := range csvFiles {
		ins.list = append(ins.list, localInput(f, true))
	}
	sort.Slice(ins.list, func(a, b int) bool { return ins.list[a].name < ins.list[b].name })
	if len(uris) == 0 {
		return ins, nil
	}
	if ins.s3, err = remote.NewS3(ctx); err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	return ins, ins.addS3(ctx, uris)
}

// localInput describes the local file f.
func localInput(f string, csv bool) input {
	in := input{name: f, csv: csv}
	if fi, err := os.Stat(f); err == nil {
		in.size = fi.Size()
	}
	return in
}

// listParallel is how many s3:// URIs are listed at the same time.
const listParallel = 4

// addS3 lists uris in parallel and adds their objects.
func (ins *inputs) addS3(ctx context.Context, uris []string) error {
	listed := make([][]remote.Object, len(uris))
	errs := make([]error, len(uris))
	var wg sync.WaitGroup
	sem := make(chan struct{}, listParallel)
	for i, uri := range uris {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			loc, err := remote.ParseURI(uri)
			if err == nil {
				listed[i], err = ins.s3.List(ctx, loc)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	c := newCollector()
	byURI := map[string]remote.Object{}
	for i, uri := range uris {
		if errs[i] != nil {
			return fmt.Errorf("ingest: %w", errs[i])
		}
		loc, _ := remote.ParseURI(uri)
		for _, o := range listed[i] {
			byURI[o.URI()] = o
			switch {
			case o.Key == loc.Prefix:
				c.add(o.URI())
			case !hiddenBelow(o.Key, loc.Prefix):
				c.addFromDir(o.URI())
			}
		}
	}
	files, skipped := c.result()
	csvObjs, skipped := takeCSV(skipped)
	files = append(files, csvObjs...)
	sort.Strings(files)
	for _, f := range files {
		o := byURI[f]
		ins.list = append(ins.list, input{name: f, size: o.Size, obj: &o, csv: isCSV(f)})
	}
	ins.skipped = append(ins.skipped, skipped...)
	return nil
}

// hiddenBelow reports whether a part of key after prefix starts with ".",
// as hidden files and folders are ignored inside local folders.
func hiddenBelow(key, prefix string) bool {
	for _, part := range strings.Split(strings.TrimPrefix(key, prefix), "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// sizes returns the sizes of the inputs as stored, in reading order.
func (ins *inputs) sizes() []int64 {
	out := make([]int64, len(ins.list))
	for i, in := range ins.list {
		out[i] = in.size
	}
	return out
}
