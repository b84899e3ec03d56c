package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxSingleResource caps a .json file holding one resource (not a Bundle),
// which has to be held in memory as a whole.
const maxSingleResource = 512 << 20

// readJSONFile reads a .json file: a Bundle is unpacked in two streaming
// passes; anything else must be a single resource.
func readJSONFile(em *emitter, open opener) error {
	src, reason := open()
	if reason != "" {
		return em.reject(0, reason)
	}
	ix, err := indexBundle(src, 0, true)
	_ = src.Close()
	switch {
	case errors.Is(err, errNotBundle):
	case err != nil:
		return err
	case ix.resourceType == "Bundle":
		return unpackBundle(em, open, 0, ix)
	}
	return readSingle(em, open)
}

// readSingle reads a .json file that holds one resource.
func readSingle(em *emitter, open opener) error {
	src, reason := open()
	if reason != "" {
		return em.reject(0, reason)
	}
	defer src.Close()
	data, err := io.ReadAll(io.LimitReader(src.in, maxSingleResource+1))
	em.stats.Bytes = src.in.n
	if err != nil {
		return em.reject(lineOfOffset(data, len(data)), src.failure())
	}
	if len(data) > maxSingleResource {
		return em.reject(1, fmt.Sprintf("a single resource larger than %d MiB is not supported", maxSingleResource>>20))
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(bytes.TrimSpace(trimmed)) == 0 {
		return em.reject(0, "file is empty")
	}
	lead := len(data) - len(trimmed)
	start := lineOfOffset(data, lead)
	rs := newResourceScanner()
	res, bad := rs.inspect(trimmed)
	if bad != nil {
		return em.reject(badLine(data, lead, bad, start))
	}
	if res.typ == "Bundle" {
		return readBundleBytes(em, data, 0)
	}
	assigned := res.id == ""
	if assigned {
		var buf []byte
		res.id = contentID(compactOf(&buf, trimmed, res.compact))
	}
	return em.record(start, res.typ, res.id, body(trimmed, res, nil, assigned))
}

// badLine places a problem found in data[lead:] at its line and column.
func badLine(data []byte, lead int, bad *badRecord, start int) (int, string) {
	hint := ""
	if strings.Contains(bad.reason, "unexpected data after the JSON value") {
		hint = " (one resource per line? name the file .ndjson)"
	}
	if bad.off < 0 {
		return start, bad.reason + hint
	}
	off := lead + bad.off
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return lineOfOffset(data, off), fmt.Sprintf("%s at column %d%s", bad.reason, col, hint)
}

// lineOfOffset returns the 1-based line of data[off].
func lineOfOffset(data []byte, off int) int {
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}
