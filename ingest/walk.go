package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// format is how a file's content is laid out.
type format int

const (
	formatNDJSON format = iota + 1 // one resource per line
	formatJSON                     // one resource or one Bundle
)

// formatOf picks the format from the file name, ignoring case and a
// trailing ".gz": ".ndjson" and ".jsonl" are NDJSON, ".json" is JSON.
func formatOf(path string) (format, bool) {
	name := strings.TrimSuffix(strings.ToLower(filepath.Base(path)), ".gz")
	switch {
	case strings.HasSuffix(name, ".ndjson"), strings.HasSuffix(name, ".jsonl"):
		return formatNDJSON, true
	case strings.HasSuffix(name, ".json"):
		return formatJSON, true
	}
	return 0, false
}

// Walk expands paths (files or directories, searched recursively) into the
// files ReadFile can read: *.ndjson, *.json, each optionally followed by
// .gz (case-insensitive), and *.jsonl when named explicitly. Other files are returned in skipped so
// the caller can mention them; directories and files whose name starts with
// "." are ignored silently inside directories. Both lists are sorted and
// free of duplicates. A path that does not exist is an error.
func Walk(paths []string) (files, skipped []string, err error) {
	seenFile, seenSkip := map[string]bool{}, map[string]bool{}
	add := func(path string) {
		if _, ok := formatOf(path); ok {
			if !seenFile[path] {
				seenFile[path] = true
				files = append(files, path)
			}
		} else if !seenSkip[path] {
			seenSkip[path] = true
			skipped = append(skipped, path)
		}
	}
	// Inside folders, .jsonl files are skipped: bulk exports keep their
	// logs there (log.ndjson renamed, as in the Synthea sample). Named on
	// the command line, they are read as NDJSON.
	addFromDir := func(path string) {
		if strings.HasSuffix(strings.TrimSuffix(strings.ToLower(path), ".gz"), ".jsonl") {
			if !seenSkip[path] {
				seenSkip[path] = true
				skipped = append(skipped, path)
			}
			return
		}
		add(path)
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, nil, fmt.Errorf("ingest: walk: %w", err)
		}
		if !info.IsDir() {
			add(root)
			continue
		}
		if err := walkDir(root, addFromDir); err != nil {
			return nil, nil, err
		}
	}
	kept := skipped[:0]
	for _, p := range skipped {
		if !seenFile[p] { // skipped in a folder, but also named directly
			kept = append(kept, p)
		}
	}
	skipped = kept
	sort.Strings(files)
	sort.Strings(skipped)
	return files, skipped, nil
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
