package synth

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Generate writes opts.Patients synthetic patients into opts.Out and
// reports what it wrote. Patients are generated and written one at a time
// through buffered writers, so memory does not grow with the number of
// patients. The output depends only on the options: the same seed yields
// the same bytes.
//
// Generate checks ctx before each patient; on cancellation it closes the
// files written so far (which then hold a prefix of the data set) and
// returns ctx's error, wrapped. The returned Stats are valid on error.
func Generate(ctx context.Context, opts Options) (st Stats, err error) {
	st.Resources = map[string]int{}
	opts, err = opts.normalize()
	if err != nil {
		return st, err
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return st, fmt.Errorf("synth: create output directory: %w", err)
	}
	sk := newSink(opts, &st)
	defer func() {
		err = errors.Join(err, sk.close())
	}()
	pl := newPool(opts.Seed, opts.Patients)
	if err := writeUnit(sk, "shared", "shared", pl.emit); err != nil {
		return st, err
	}
	for i := range opts.Patients {
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("synth: generation stopped after %d patients: %w", i, err)
		}
		capture := &patientCapture{emitter: sk}
		g := newPatientGen(opts, pl, i, capture)
		g.plan()
		bundleID := g.r.uuid()
		if err := writeUnit(sk, g.p.id, bundleID, func(emitter) error { return g.emit() }); err != nil {
			return st, fmt.Errorf("synth: patient %d: %w", i, err)
		}
		st.Patients++
		if err := writeDuplicate(sk, opts, i, capture.last, &st); err != nil {
			return st, fmt.Errorf("synth: duplicate of patient %d: %w", i, err)
		}
	}
	return st, writeDuplicates(opts, &st)
}

// writeUnit writes one bundle (or, in NDJSON, one group of lines).
func writeUnit(sk sink, name, bundleID string, body func(emitter) error) error {
	if err := sk.begin(name, bundleID); err != nil {
		return err
	}
	if err := body(sk); err != nil {
		return err
	}
	return sk.end()
}
