package export

import (
	"context"
	"fmt"
	"time"

	"github.com/fhirlake/fhirlake/deid"
)

// DeidSafeHarbor is the one accepted value of the _deid kick-off
// parameter: the job writes resources de-identified by the HIPAA Safe
// Harbor method (package deid) instead of the stored ones.
const DeidSafeHarbor = "safe-harbor"

// deidExtension is the key of the manifest's extension object that names
// the de-identification of a job's files (the Bulk Data manifest reserves
// "extension" for such additions).
const deidExtension = "deidentification"

// parseDeid validates a _deid value.
func parseDeid(v string) (string, error) {
	if v != DeidSafeHarbor {
		return "", &paramError{fmt.Sprintf("_deid %q is not supported; the one method is %s", v, DeidSafeHarbor)}
	}
	return v, nil
}

type deidOnlyKey struct{}

// WithDeidOnly marks a request whose caller may only run de-identified
// exports (such as a deid-analyst): its kick-off must ask for _deid, and
// it sees the status and files of de-identified jobs only (other jobs are
// 404 to it). The API's authorization sets it.
func WithDeidOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, deidOnlyKey{}, true)
}

// deidOnly reports whether ctx carries WithDeidOnly.
func deidOnly(ctx context.Context) bool {
	v, _ := ctx.Value(deidOnlyKey{}).(bool)
	return v
}

// deidentifier returns the Deidentifier of a job of data store ds that
// asked for _deid, whose reference date (for ages of 90 and over) is its
// transaction time.
func (m *Manager) deidentifier(ds string, at time.Time) (*deid.Deidentifier, error) {
	if m.opts.DeidKey == nil {
		return nil, fmt.Errorf("export: data store %s: de-identified exports need Options.DeidKey", ds)
	}
	key, err := m.opts.DeidKey(ds)
	if err != nil {
		return nil, fmt.Errorf("export: de-identification key of %s: %w", ds, err)
	}
	d, err := deid.New(deid.Options{Key: key, Now: at})
	if err != nil {
		return nil, fmt.Errorf("export: de-identification of %s: %w", ds, err)
	}
	return d, nil
}
