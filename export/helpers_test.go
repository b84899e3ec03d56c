package export

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the shared test data folder: $FHIRLAKE_SHARED, or
// ../../shared from the package folder. A missing folder skips the test,
// or fails it under CI=true.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	root := os.Getenv("FHIRLAKE_SHARED")
	if root == "" {
		root = filepath.Join("..", "..", "shared")
	}
	dir := filepath.Join(root, sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared test data %s is missing (set FHIRLAKE_SHARED): %v", dir, err)
		}
		t.Skipf("shared test data %s is missing (set FHIRLAKE_SHARED): %v", dir, err)
	}
	return dir
}
