package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fhirlake/fhirlake/ingest/remote"
)

// format is how a file's content is laid out.
type format int

const (
	formatNDJSON format = iota + 1 // one resource per line
	formatJSON                     // one resource or one Bundle
)

// formatOf picks the format from the file name, ignoring case and a
// trailing ".gz" or ".zst": ".ndjson" and ".jsonl" are NDJSON, ".json" is
// JSON.
func formatOf(path string) (format, bool) {
	name := trimCompression(strings.ToLower(filepath.Base(path)))
	switch {
	case strings.HasSuffix(name, ".ndjson"), strings.HasSuffix(name, ".jsonl"):
		return formatNDJSON, true
	case strings.HasSuffix(name, ".json"):
		return formatJSON, true
	}
	return 0, false
}

// trimCompression removes a trailing ".gz" or ".zst" from a lower-case
// name.
func trimCompression(name string) string {
	if n, ok := strings.CutSuffix(name, ".gz"); ok {
		return n
	}
	return strings.TrimSuffix(name, ".zst")
}

// Walk expands paths (files, directories searched recursively, or glob
// patterns such as "data/*.ndjson.gz") into the local files ReadFile can
// read: *.ndjson, *.json, each optionally followed by .gz or .zst
// (case-insensitive), and *.jsonl when named explicitly. Other files are
// returned in skipped so the caller can mention them; directories and files
// whose name starts with "." are ignored silently inside directories. Both
// lists are sorted and free of duplicates. A path that does not exist and a
// pattern that matches nothing are errors. s3:// URIs are not local paths:
// [Import] reads them.
func Walk(paths []string) (files, skipped []string, err error) {
	c := newCollector()
	for _, root := range paths {
		if err := c.walk(root); err != nil {
			return nil, nil, err
		}
	}
	files, skipped = c.result()
	return files, skipped, nil
}

// collector gathers readable and skipped inputs without duplicates.
type collector struct {
	files, skipped     []string
	seenFile, seenSkip map[string]bool
}

func newCollector() *collector {
	return &collector{seenFile: map[string]bool{}, seenSkip: map[string]bool{}}
}

// add takes an input named explicitly (or matched by a glob).
func (c *collector) add(path string) {
	if _, ok := formatOf(path); ok {
		if !c.seenFile[path] {
			c.seenFile[path] = true
			c.files = append(c.files, path)
		}
	} else {
		c.skip(path)
	}
}

func (c *collector) skip(path string) {
	if !c.seenSkip[path] {
		c.seenSkip[path] = true
		c.skipped = append(c.skipped, path)
	}
}

// addFromDir takes an input found inside a folder. There, .jsonl files
// are skipped: bulk exports keep their logs there (log.ndjson renamed, as
// in the Synthea sample). Named on the command line, they are read as
// NDJSON.
func (c *collector) addFromDir(path string) {
	if strings.HasSuffix(trimCompression(strings.ToLower(path)), ".jsonl") {
		c.skip(path)
		return
	}
	c.add(path)
}

// walk adds the local file, directory or glob pattern root.
func (c *collector) walk(root string) error {
	if remote.IsS3(root) {
		return fmt.Errorf("ingest: walk: %s: S3 URIs are read by Import, not Walk", root)
	}
	info, err := os.Stat(root)
	if err != nil && isGlob(root) {
		return c.glob(root)
	}
	if err != nil {
		return fmt.Errorf("ingest: walk: %w", err)
	}
	if !info.IsDir() {
		c.add(root)
		return nil
	}
	return walkDir(root, c.addFromDir)
}

// isGlob reports whether path holds a glob metacharacter.
func isGlob(path string) bool { return strings.ContainsAny(path, "*?[") }

// glob adds every file and directory matching pattern.
func (c *collector) glob(pattern string) error {
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return fmt.Errorf("ingest: walk: pattern %q: %w", pattern, err)
	}
	if len(matches) == 0 {
		return fmt.Errorf("ingest: walk: no files match %q", pattern)
	}
	for _, m := range matches {
		if err := c.walk(m); err != nil {
			return err
		}
	}
	return nil
}

// result returns the sorted lists. A file skipped in a folder but also
// named directly is not skipped.
func (c *collector) result() (files, skipped []string) {
	for _, p := range c.skipped {
		if !c.seenFile[p] {
			skipped = append(skipped, p)
		}
	}
	sort.Strings(c.files)
	sort.Strings(skipped)
	return c.files, skipped
}

// walkDir calls add for every regular file under root, following symbolic
// links to files but not to directories.
func walkDir(root string, add func(string)) error {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := path != root && strings.HasPrefix(d.Name(), ".")
		switch {
		case d.IsDir() && hidden:
			return filepath.SkipDir
		case d.IsDir(), hidden:
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
				add(path)
			}
			return nil
		case d.Type().IsRegular():
			add(path)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ingest: walk %s: %w", root, err)
	}
	return nil
}
