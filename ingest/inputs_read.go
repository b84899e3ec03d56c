package ingest

import (
	"context"

	"github.com/fhirlake/fhirlake/ingest/remote"
)

// Read-ahead of S3 objects: up to objectParallel objects are downloaded at
// the same time (the one being parsed included), each up to
// objectReadAhead bytes ahead of the parser, so memory stays under
// objectParallel × objectReadAhead.
const (
	objectParallel  = 4
	objectReadAhead = 8 << 20
)

// read reads every input in order with h. For each input it calls each,
// which must call read (once) to read it and return read's error. S3
// objects are downloaded ahead in parallel while the previous ones are
// parsed; records still reach h in input and file order. It stops at the
// first error of each (ctx canceled or h.Record).
func (ins *inputs) read(ctx context.Context, h Handler, each func(in input, read func() error) error) error {
	var pf *remote.Prefetcher
	if ins.s3 != nil {
		var objs []remote.Object
		for _, in := range ins.list {
			if in.obj != nil {
				objs = append(objs, *in.obj)
			}
		}
		pf = remote.Prefetch(ctx, objs, ins.s3.Open, objectParallel, objectReadAhead)
		defer pf.Close()
	}
	for _, in := range ins.list {
		if err := each(in, func() error { return ins.readOne(ctx, in, pf, h) }); err != nil {
			return err
		}
	}
	return nil
}

// readOne reads a local file, or the next object of pf: a CSV extract
// through ins.csv, anything else as ReadFile does.
func (ins *inputs) readOne(ctx context.Context, in input, pf *remote.Prefetcher, h Handler) error {
	var open opener
	if in.obj == nil {
		open = func() (*source, string) { return openSource(in.name) }
	} else {
		st, ok := pf.Next()
		if !ok {
			return ctx.Err()
		}
		defer st.Close()
		open = ins.objectOpener(ctx, st)
	}
	if in.csv {
		return ins.csvReader().read(ctx, in.name, open, h)
	}
	_, err := readInput(ctx, in.name, open, h)
	return err
}

// csvReader returns the reader of CSV inputs, one without a mapping if
// none was set.
func (ins *inputs) csvReader() *csvReader {
	if ins.csv == nil {
		ins.csv = &csvReader{found: newFoundOrCreated(nil)}
	}
	return ins.csv
}

// objectOpener opens an S3 object: the first time from its read-ahead
// stream, again (the second pass over a Bundle) with a new request.
func (ins *inputs) objectOpener(ctx context.Context, st *remote.Stream) opener {
	first := true
	return func() (*source, string) {
		if first {
			first = false
			if err := st.Opened(); err != nil {
				_ = st.Close()
				return nil, "cannot open: " + remote.Reason(err)
			}
			return openStream(st.Object.URI(), st)
		}
		rc, err := ins.s3.Open(ctx, st.Object)
		if err != nil {
			return nil, "cannot open: " + remote.Reason(err)
		}
		return openStream(st.Object.URI(), rc)
	}
}
