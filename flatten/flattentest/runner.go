package flattentest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrNoSuite is wrapped by RunDir's error when the folder holds no suite
// files.
var ErrNoSuite = errors.New("flattentest: no SQL-on-FHIR test files")

// RunDir runs every test of the suite in dir (its *.json files, not its
// subfolders) against impl and returns the results, files sorted by name
// and tests in file order. A test that fails is a Result, not an error;
// the error is for a folder without suite files (wrapping ErrNoSuite), a
// file that cannot be read or parsed, or a cancelled ctx.
func RunDir(ctx context.Context, dir string, impl Impl) (*Report, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("%w in %q", ErrNoSuite, dir)
	}
	rep := &Report{}
	for _, f := range files {
		s, err := loadSuite(f)
		if err != nil {
			return nil, err
		}
		for _, tc := range s.Tests {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("flattentest: %w", err)
			}
			res := Result{File: filepath.Base(f), Name: tc.Title, Passed: true}
			if err := check(impl, s, tc); err != nil {
				res.Passed, res.Error = false, err.Error()
			}
			rep.Results = append(rep.Results, res)
		}
	}
	return rep, nil
}

// suiteName is a suite file's name without .json.
func suiteName(file string) string {
	return strings.TrimSuffix(filepath.Base(file), ".json")
}
