// Package testutil holds helpers shared by the tests of several packages.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDir returns ../shared/<sub> (the read-only test data that sits
// beside the checkout, in CI too), found by walking up from the working
// directory. The environment variable FHIRLAKE_SHARED overrides the
// ../shared folder. When the folder is missing the test is skipped, or
// fails under CI=true, where every test must run.
func SharedDir(t testing.TB, sub string) string {
	t.Helper()
	if d := os.Getenv("FHIRLAKE_SHARED"); d != "" {
		p := filepath.Join(d, sub)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	wd, err := os.Getwd()
	if err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			p := filepath.Join(d, "..", "shared", sub)
			if _, err := os.Stat(p); err == nil {
				return filepath.Clean(p)
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("../shared/%s is required under CI=true (set FHIRLAKE_SHARED to its folder)", sub)
	}
	t.Skipf("../shared/%s not found", sub)
	return ""
}
